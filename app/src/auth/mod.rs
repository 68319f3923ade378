//! Signing in: the sign-in and account pages, the password form, the auth server functions
//! and the gate every signed-in page goes through. The lowest feature; every other uses it.

pub mod api;
pub mod islands;
pub mod pages;
