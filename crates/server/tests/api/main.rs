//! The server's integration tests: the real server on port 0 with a fake built app and a database
//! of its own, SQLite or PostgreSQL (every test runs on both), driven over HTTP with the domain's
//! own wire types; and, in `store`, the store alone, below the API. One binary, linked once.

// First, so that its macro is known in the modules below.
#[macro_use]
mod helpers;

mod answers;
mod attachments;
mod audit;
mod authorisation;
mod backup;
mod binary;
mod centre;
mod centre_add;
mod centres;
mod clock;
mod compression;
mod concurrency;
mod database;
mod databases;
mod durability;
mod guessing;
mod headers;
mod history;
mod integrity;
mod kill;
mod merge;
mod meta;
mod names;
mod pull;
mod push;
mod pwa;
mod refusals;
mod reports;
mod restate;
mod scope;
mod session;
mod setup;
mod store;
