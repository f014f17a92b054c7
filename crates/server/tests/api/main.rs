//! The server's integration tests: the real server on port 0 with a temporary SQLite file and a
//! fake built app, driven over HTTP with the domain's own wire types.

mod audit;
mod authorisation;
mod backup;
mod binary;
mod centre;
mod centres;
mod compression;
mod durability;
mod headers;
mod helpers;
mod kill;
mod meta;
mod pull;
mod push;
mod pwa;
mod refusals;
mod session;
mod setup;
