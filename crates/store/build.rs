//! `sqlx::migrate!` embeds the migration folders at compile time but cannot tell Cargo to
//! watch them on stable Rust, so a new migration would not rebuild the crate without this.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
