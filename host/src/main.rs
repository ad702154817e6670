//! The `roster` command.

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
