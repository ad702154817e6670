//! Implementation of the `roster:connector/log` interface: connector log lines as tracing
//! events, attributed to the connector and capped per call.

use super::Broker;
use crate::runtime::bindings::roster::connector::log::{Host, Level};

/// Longest message kept; connectors that log whole bodies get them cut.
const MAX_MESSAGE_CHARS: usize = 1000;
const MAX_FIELDS_CHARS: usize = 1000;

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

impl Broker {
    /// Reports dropped log lines once, at the end of a call.
    pub(crate) fn report_dropped_logs(&self) {
        if self.log_dropped > 0 {
            tracing::warn!(connector = %self.connector, dropped = self.log_dropped, limit = self.services.limits.log_lines, "connector passed its log line budget; lines were dropped");
        }
    }
}

impl Host for Broker {
    fn log(&mut self, level: Level, message: String, fields: Vec<(String, String)>) {
        self.log_lines += 1;
        if self.log_lines > self.services.limits.log_lines {
            self.log_dropped += 1;
            return;
        }

        let message = truncate(&message, MAX_MESSAGE_CHARS);
        let fields = truncate(
            &fields.iter().map(|(key, value)| format!("{key}={value:?}")).collect::<Vec<_>>().join(" "),
            MAX_FIELDS_CHARS,
        );
        let connector = &self.connector;
        let connection = self.connection.as_ref().map(|context| context.connection.name.as_str()).unwrap_or("");
        match level {
            Level::Trace => tracing::trace!(target: "roster::connector", %connector, connection, fields, "{message}"),
            Level::Debug => tracing::debug!(target: "roster::connector", %connector, connection, fields, "{message}"),
            Level::Info => tracing::info!(target: "roster::connector", %connector, connection, fields, "{message}"),
            Level::Warn => tracing::warn!(target: "roster::connector", %connector, connection, fields, "{message}"),
            Level::Error => tracing::error!(target: "roster::connector", %connector, connection, fields, "{message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_marks_cut_text() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("abcdef", 3), "abc…");
    }
}
