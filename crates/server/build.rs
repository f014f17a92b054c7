//! Rebuilds the server when a migration is added: `sqlx::migrate!` embeds the folders, and
//! cargo would not otherwise notice a new file in them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
