//! `sakhi-server centre add` prints a link to the server its settings describe, not to a fixed
//! port.

use crate::helpers::{Backend, Folder};
use tokio::process::Command;

/// `sakhi-server ARGS` over `folder`'s database, as an administrator would run it, and its
/// standard output.
async fn centre_add(folder: &Folder, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sakhi-server"));
    for name in [
        "SAKHI_ADDRESS",
        "SAKHI_PORT",
        "SAKHI_PUBLIC_URL",
        "SAKHI_DATABASE_URL",
    ] {
        command.env_remove(name);
    }
    let output = command
        .current_dir(folder.path())
        .args(args)
        .envs(env.iter().copied())
        .env("SAKHI_DATABASE_URL", folder.database_url())
        .output()
        .await
        .expect("Failed to run sakhi-server");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn link(printed: &str) -> &str {
    let line = printed
        .lines()
        .find(|line| line.contains("/setup#code="))
        .unwrap_or_else(|| panic!("no link in {printed:?}"));
    line.rsplit(' ').next().unwrap()
}

on_each_backend!(centre_add_links_to_the_port_and_address_it_is_given);
async fn centre_add_links_to_the_port_and_address_it_is_given(backend: Backend) {
    let folder = Folder::new(backend).await;
    // Flags before or after the subcommand alike.
    for args in [
        &["--port", "9123", "centre", "add"][..],
        &["centre", "add", "--port", "9123"][..],
    ] {
        let printed = centre_add(&folder, args, &[]).await;
        assert!(
            link(&printed).starts_with("http://localhost:9123/setup#code="),
            "{args:?}: {printed}"
        );
    }
    let printed = centre_add(&folder, &["centre", "add"], &[("SAKHI_PORT", "9124")]).await;
    assert!(
        link(&printed).starts_with("http://localhost:9124/setup#code="),
        "{printed}"
    );

    let args = [
        "centre",
        "add",
        "--address",
        "192.168.1.5",
        "--port",
        "9125",
    ];
    let printed = centre_add(&folder, &args, &[]).await;
    assert!(
        link(&printed).starts_with("http://192.168.1.5:9125/setup#code="),
        "{printed}"
    );

    let args = ["centre", "add", "--public-url", "https://osc.example.org/"];
    let printed = centre_add(&folder, &args, &[]).await;
    assert!(
        link(&printed).starts_with("https://osc.example.org/setup#code="),
        "{printed}"
    );

    // A port the server picks as it starts cannot be known here: it says where to look.
    let printed = centre_add(&folder, &["centre", "add", "--port", "0"], &[]).await;
    assert!(!printed.contains(":0/"), "{printed}");
    assert!(
        printed.contains("the address sakhi-server printed"),
        "{printed}"
    );
}
