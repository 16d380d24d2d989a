//! Who a Duo user is: the push-capable devices `preauth` lists. Two names that share any
//! such device are one person (this also catches Duo's username aliases, which reach one
//! user and so the same devices). The push then goes to exactly the device resolved.

use crate::identity::Identity;
use crate::json::{JsonError, StrictValue};

/// Most devices read from one `preauth` answer.
pub const MAX_DEVICES: usize = 100;

/// What a `preauth` resolved: the device the push goes to, and preauth's `txid` (passed on
/// to `auth`, as Duo asks).
#[derive(Debug, Clone)]
pub struct ResolvedDevice {
    /// The device id the push goes to.
    pub device: String,
    /// preauth's `txid` (empty when it sent none).
    pub txid: String,
}

/// A Duo device id: 1 to 64 letters and digits (`DPFZRS9FB0D46QFTM891`).
pub fn is_device_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The push-capable device ids of a `preauth` `auth` answer, in Duo's order, read strictly:
/// `devices` must be an array of objects; each `device` a device id; `capabilities`, when
/// present, an array of strings. A device that cannot take a push is skipped.
pub fn push_devices(preauth: &StrictValue) -> Result<Vec<String>, JsonError> {
    let mut out = Vec::new();
    let devices = preauth.opt_array("devices")?;
    if devices.len() > MAX_DEVICES {
        return Err(JsonError::WrongType {
            key: "devices",
            expected: "at most 100 devices",
        });
    }
    for d in devices {
        if !matches!(d, StrictValue::Object(_)) {
            return Err(JsonError::NotObject("a device"));
        }
        let id = d.str_field("device")?;
        if !is_device_id(id) {
            return Err(JsonError::WrongType {
                key: "device",
                expected: "a Duo device id (letters and digits)",
            });
        }
        let mut push = false;
        for c in d.opt_array("capabilities")? {
            match c {
                StrictValue::String(c) => push |= c == "push",
                _ => {
                    return Err(JsonError::WrongType {
                        key: "capabilities",
                        expected: "an array of strings",
                    })
                }
            }
        }
        if push && !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    Ok(out)
}

/// The identity of a user with these push devices, pushing to `device` (one of them).
pub fn identity_of(devices: &[String], device: &str, txid: &str) -> Identity {
    devices
        .iter()
        .fold(Identity::new(), |id, d| {
            id.with_key("duo-device", d, format!("Duo device {d}"))
        })
        .with_resolved(ResolvedDevice {
            device: device.to_owned(),
            txid: txid.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> StrictValue {
        StrictValue::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn only_push_capable_devices_count() {
        let pre = parse(
            r#"{"result":"auth","devices":[
                {"device":"DPSMSONLY","capabilities":["sms","phone"]},
                {"device":"DPONE","capabilities":["auto","push","sms"]},
                {"device":"DPTWO","capabilities":["push"]},
                {"device":"DPONE","capabilities":["push"]},
                {"device":"DPNONE"}]}"#,
        );
        assert_eq!(push_devices(&pre).unwrap(), ["DPONE", "DPTWO"]);
        assert!(push_devices(&parse(r#"{"result":"auth"}"#))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn garbage_devices_are_refused() {
        for bad in [
            r#"{"devices":{"device":"DP1"}}"#,
            r#"{"devices":["DP1"]}"#,
            r#"{"devices":[{"device":1,"capabilities":["push"]}]}"#,
            r#"{"devices":[{"device":"DP/../1","capabilities":["push"]}]}"#,
            r#"{"devices":[{"device":"","capabilities":["push"]}]}"#,
            r#"{"devices":[{"device":"DP1","capabilities":"push"}]}"#,
            r#"{"devices":[{"device":"DP1","capabilities":[1]}]}"#,
        ] {
            assert!(push_devices(&parse(bad)).is_err(), "{bad}");
        }
        let many = format!(
            r#"{{"devices":[{}]}}"#,
            vec![r#"{"device":"DP1","capabilities":["push"]}"#; 101].join(",")
        );
        assert!(push_devices(&parse(&many)).is_err());
    }
}
