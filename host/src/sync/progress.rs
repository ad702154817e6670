//! Sync progress: a bar on a terminal, plain log lines otherwise.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::store::SyncRun;

pub trait Progress: Send + Sync {
    fn started(&self, connection: &str, resumed: bool);
    /// `fetched` users so far out of an estimated `total`.
    fn page(&self, fetched: u64, total: Option<u64>);
    fn finished(&self, run: &SyncRun);
    fn failed(&self);
    /// Reports that the activity sync starts step `done + 1` of `total`, described by `label`.
    fn activity_step(&self, _done: usize, _total: usize, _label: &str) {}
    fn activity_finished(&self) {}
}

pub struct TerminalProgress {
    bar: ProgressBar,
    /// Created at the first activity step, once the users bar is gone.
    activity: Mutex<Option<ProgressBar>>,
}

impl TerminalProgress {
    pub fn new() -> TerminalProgress {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{bar:32}] {pos}/{len} users  {rate}  {elapsed}")
                .expect("the template is valid")
                .with_key("rate", |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{:.0} users/s", state.per_sec());
                })
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        TerminalProgress { bar, activity: Mutex::new(None) }
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        TerminalProgress::new()
    }
}

impl Progress for TerminalProgress {
    fn started(&self, connection: &str, resumed: bool) {
        let verb = if resumed { "resuming" } else { "syncing" };
        self.bar.set_prefix(format!("{verb} {connection}"));
    }

    fn page(&self, fetched: u64, total: Option<u64>) {
        // Totals are estimates that can trail the count, so the bar never shows pos > len.
        self.bar.set_length(total.unwrap_or(fetched).max(fetched));
        self.bar.set_position(fetched);
    }

    fn finished(&self, _run: &SyncRun) {
        self.bar.finish_and_clear();
    }

    fn failed(&self) {
        self.bar.abandon();
    }

    fn activity_step(&self, done: usize, total: usize, label: &str) {
        let mut activity = self.activity.lock().expect("progress lock is never poisoned");
        let bar = activity.get_or_insert_with(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} activity [{bar:32}] {pos}/{len} steps  {msg}  {elapsed}")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(label.to_string());
    }

    fn activity_finished(&self) {
        if let Some(bar) = self.activity.lock().expect("progress lock is never poisoned").take() {
            bar.finish_and_clear();
        }
    }
}

/// Logs progress at most every few seconds, for logs and pipes.
pub struct LogProgress {
    last: Mutex<Option<Instant>>,
}

const LOG_INTERVAL: Duration = Duration::from_secs(2);

impl LogProgress {
    pub fn new() -> LogProgress {
        LogProgress { last: Mutex::new(None) }
    }
}

impl Default for LogProgress {
    fn default() -> Self {
        LogProgress::new()
    }
}

impl Progress for LogProgress {
    fn started(&self, _connection: &str, _resumed: bool) {}

    fn page(&self, fetched: u64, total: Option<u64>) {
        let mut last = self.last.lock().expect("progress lock is never poisoned");
        if last.is_some_and(|at| at.elapsed() < LOG_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        match total {
            Some(total) => tracing::info!(fetched, total, "sync progress"),
            None => tracing::info!(fetched, "sync progress"),
        }
    }

    fn finished(&self, _run: &SyncRun) {}

    fn failed(&self) {}
}
