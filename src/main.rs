fn main() -> std::process::ExitCode {
    lvstop::cli::main()
}
