//! Output helpers shared by commands: formats, tables and timestamps.

use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};

/// Columns with a rule under the header and no other lines, so output stays easy to scan
/// and to read with `grep` or `awk`.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Formats for commands that have no CSV form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(STYLE).set_content_arrangement(ContentArrangement::Dynamic).set_header(header);
    table
}

/// RFC 3339 in UTC, as JSON and CSV output use.
pub fn rfc3339(unix: Option<i64>) -> Option<String> {
    unix.and_then(|seconds| jiff::Timestamp::from_second(seconds).ok()).map(|at| at.to_string())
}

/// Formats a short UTC date and time for tables, or "never".
pub fn short_time(unix: Option<i64>) -> String {
    match unix.and_then(|seconds| jiff::Timestamp::from_second(seconds).ok()) {
        Some(at) => at.strftime("%Y-%m-%d %H:%M").to_string(),
        None => "never".to_string(),
    }
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Asks for confirmation of a change on a terminal. Without a terminal the change needs `--yes`.
pub fn confirm(question: &str, yes: bool) -> anyhow::Result<()> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};

    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("this change needs confirmation; run it again with --yes to confirm");
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => anyhow::bail!("cancelled; nothing was changed"),
    }
}
