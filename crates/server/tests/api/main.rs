//! The server's integration tests: the real server on port 0 with a temporary SQLite file and a
//! fake built app, driven over HTTP with the domain's own wire types.

mod audit;
mod authorisation;
mod binary;
mod centre;
mod centres;
mod durability;
mod headers;
mod helpers;
mod meta;
mod pull;
mod push;
mod pwa;
mod refusals;
mod restate;
mod session;
mod setup;
