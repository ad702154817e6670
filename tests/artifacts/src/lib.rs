//! Paths of the connector components built for the tests by this crate's build script.

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
