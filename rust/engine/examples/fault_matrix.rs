//! Prints the fault matrix as Markdown (`docs/faults.md`):
//! `cargo run --release -p mfa-engine --example fault_matrix > docs/faults.md`.

#[path = "../tests/common/mod.rs"]
mod common;
use common::matrix;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows = matrix::run().await;
    print!("{}", matrix::markdown(&rows));
    let problems = matrix::check(&rows);
    if !problems.is_empty() {
        eprintln!("{problems:#?}");
        std::process::exit(1);
    }
}
