//! Test connectors for Roster's end-to-end tests. Each cargo feature builds a component with
//! one behaviour; `tests/artifacts` builds them all.

#[cfg(not(any(feature = "wrong-version", feature = "other-world")))]
mod connector;

#[cfg(feature = "wrong-version")]
mod wrong_version {
    wit_bindgen::generate!({
        inline: "
            package roster:connector@0.2.0;
            interface connector {
                describe: func() -> string;
            }
            world connector-world {
                export connector;
            }
        ",
    });

    struct Newer;

    impl exports::roster::connector::connector::Guest for Newer {
        fn describe() -> String {
            "from the future".to_string()
        }
    }

    export!(Newer);
}

#[cfg(feature = "other-world")]
mod other_world {
    wit_bindgen::generate!({
        inline: "
            package test:other;
            world greeter {
                export greet: func() -> string;
            }
        ",
    });

    struct Greeter;

    impl Guest for Greeter {
        fn greet() -> String {
            "hello".to_string()
        }
    }

    export!(Greeter);
}
