//! Sakhi, the PWA.
