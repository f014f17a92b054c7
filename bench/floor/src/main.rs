//! The floor for Sakhi's app shell: an empty Leptos 0.8 CSR page, built by Trunk with the app's
//! release profile, wasm-bindgen and wasm-opt. Whatever Sakhi weighs above this is Sakhi's own.

use leptos::prelude::*;

fn main() {
    // One heading, so the benchmarks can see that the page has mounted.
    leptos::mount::mount_to_body(|| view! { <main><h1>"Sakhi"</h1></main> });
}
