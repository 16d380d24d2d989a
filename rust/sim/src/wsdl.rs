//! The WSDL for the implemented operations: namespace `http://www.phonefactor.com/PfWsSdk`,
//! binding `PfWsSdkSoap`, document/literal wrapped, SOAP 1.1, the real SOAPActions.

use mfa_protocol::soap::AUTHENTICATION_TYPES;
use quick_xml::escape::escape;

type Part = (&'static str, &'static str, u8); // name, type, minOccurs

/// (operation, request parts, response parts after `<Op>Result`).
const OPS: &[(&str, &[Part], &[Part], &str)] = &[
    ("TestSecurity", &[], &[], "s:string"),
    (
        "UserExists",
        &[("username", "s:string", 0)],
        &[("error", "tns:Error", 0)],
        "s:boolean",
    ),
    (
        "GetUserSettings_3",
        &[("username", "s:string", 0)],
        &[
            ("userSettings", "tns:UserSettings3", 0),
            ("error", "tns:Error", 0),
        ],
        "s:boolean",
    ),
    (
        "GenerateActivationCode",
        &[("username", "s:string", 0)],
        &[("activationCode", "s:string", 0), ("error", "tns:Error", 0)],
        "s:boolean",
    ),
    ("PfAuthUser_4", AUTH4, AUTH_OUT, "s:boolean"),
    ("PfAuthUser_5", AUTH5, AUTH_OUT, "s:boolean"),
];

const AUTH4: &[Part] = &[
    ("username", "s:string", 0),
    ("initiatingAuthenticationType", "tns:AuthenticationType", 1),
    ("initiatingIpAddress", "s:string", 0),
    ("applicationName", "s:string", 0),
    ("requireUserMatch", "s:boolean", 1),
];
const AUTH5: &[Part] = &[
    ("username", "s:string", 0),
    ("initiatingAuthenticationType", "tns:AuthenticationType", 1),
    ("initiatingIpAddress", "s:string", 0),
    ("applicationName", "s:string", 0),
    ("requireUserMatch", "s:boolean", 1),
    ("mode", "tns:Mode3", 1),
    ("countryCode", "s:string", 0),
    ("phoneNumber", "s:string", 0),
    ("extension", "s:string", 0),
];
const AUTH_OUT: &[Part] = &[
    ("callResult", "tns:CallResult", 0),
    ("authenticationRequestId", "s:string", 0),
    ("error", "tns:Error", 0),
];

fn sequence(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|(n, t, min)| {
            format!(r#"<s:element minOccurs="{min}" maxOccurs="1" name="{n}" type="{t}" />"#)
        })
        .collect()
}

fn enumeration(name: &str, members: &[&str]) -> String {
    let m: String = members
        .iter()
        .map(|v| format!(r#"<s:enumeration value="{v}" />"#))
        .collect();
    format!(
        r#"<s:simpleType name="{name}"><s:restriction base="s:string">{m}</s:restriction></s:simpleType>"#
    )
}

/// The WSDL document; `location` is the service URL written into `soap:address`.
pub fn document(location: &str) -> String {
    let mut types = String::new();
    let mut messages = String::new();
    let mut port = String::new();
    let mut binding = String::new();
    for (op, input, output, result) in OPS {
        let mut out = vec![(*op, *result, 0u8)];
        out.extend_from_slice(output);
        let result_name = format!("{op}Result");
        let out_seq: String = out
            .iter()
            .enumerate()
            .map(|(i, (n, t, min))| {
                let name = if i == 0 { result_name.as_str() } else { n };
                let min = if i == 0 {
                    if *t == "s:string" {
                        0
                    } else {
                        1
                    }
                } else {
                    *min
                };
                format!(r#"<s:element minOccurs="{min}" maxOccurs="1" name="{name}" type="{t}" />"#)
            })
            .collect();
        types.push_str(&format!(
            r#"<s:element name="{op}"><s:complexType><s:sequence>{}</s:sequence></s:complexType></s:element><s:element name="{op}Response"><s:complexType><s:sequence>{out_seq}</s:sequence></s:complexType></s:element>"#,
            sequence(input)
        ));
        messages.push_str(&format!(
            r#"<wsdl:message name="{op}SoapIn"><wsdl:part name="parameters" element="tns:{op}" /></wsdl:message><wsdl:message name="{op}SoapOut"><wsdl:part name="parameters" element="tns:{op}Response" /></wsdl:message>"#
        ));
        port.push_str(&format!(
            r#"<wsdl:operation name="{op}"><wsdl:input message="tns:{op}SoapIn" /><wsdl:output message="tns:{op}SoapOut" /></wsdl:operation>"#
        ));
        binding.push_str(&format!(
            r#"<wsdl:operation name="{op}"><soap:operation soapAction="http://www.phonefactor.com/PfWsSdk/{op}" style="document" /><wsdl:input><soap:body use="literal" /></wsdl:input><wsdl:output><soap:body use="literal" /></wsdl:output></wsdl:operation>"#
        ));
    }
    let code_pair = |name: &str| {
        format!(
            r#"<s:complexType name="{name}"><s:sequence><s:element minOccurs="1" maxOccurs="1" name="Code" type="s:int" /><s:element minOccurs="0" maxOccurs="1" name="Description" type="s:string" /></s:sequence></s:complexType>"#
        )
    };
    let settings = r#"<s:complexType name="UserSettings3"><s:sequence><s:element minOccurs="0" maxOccurs="1" name="FirstName" type="s:string" /><s:element minOccurs="0" maxOccurs="1" name="LastName" type="s:string" /><s:element minOccurs="0" maxOccurs="1" name="EmailAddress" type="s:string" /><s:element minOccurs="0" maxOccurs="1" name="CountryCode" type="s:string" /><s:element minOccurs="0" maxOccurs="1" name="Phone" type="s:string" /><s:element minOccurs="0" maxOccurs="1" name="Extension" type="s:string" /><s:element minOccurs="1" maxOccurs="1" name="Mode" type="tns:Mode3" /><s:element minOccurs="1" maxOccurs="1" name="PhoneAppMode" type="tns:PhoneAppMode" /><s:element minOccurs="1" maxOccurs="1" name="Enabled" type="s:boolean" /><s:element minOccurs="1" maxOccurs="1" name="PhoneAppActivated" type="s:boolean" /></s:sequence></s:complexType>"#;
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://www.phonefactor.com/PfWsSdk" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="http://www.phonefactor.com/PfWsSdk"><wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="http://www.phonefactor.com/PfWsSdk">{types}{auth}{mode}{pam}{cr}{err}{settings}</s:schema></wsdl:types>{messages}<wsdl:portType name="PfWsSdkSoap">{port}</wsdl:portType><wsdl:binding name="PfWsSdkSoap" type="tns:PfWsSdkSoap"><soap:binding transport="http://schemas.xmlsoap.org/soap/http" />{binding}</wsdl:binding><wsdl:service name="PfWsSdk"><wsdl:port name="PfWsSdkSoap" binding="tns:PfWsSdkSoap"><soap:address location="{loc}" /></wsdl:port></wsdl:service></wsdl:definitions>"#,
        auth = enumeration("AuthenticationType", AUTHENTICATION_TYPES),
        mode = enumeration("Mode3", crate::ops::MODE3),
        pam = enumeration("PhoneAppMode", &["standard", "pin"]),
        cr = code_pair("CallResult"),
        err = code_pair("Error"),
        loc = escape(location),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn wsdl_is_well_formed_and_names_every_operation() {
        let doc = super::document("https://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx");
        let root = mfa_protocol::xml::parse(doc.as_bytes()).unwrap();
        assert_eq!(root.local, "definitions");
        for op in crate::ops::OPERATIONS {
            assert!(
                doc.contains(&format!(
                    r#"soapAction="http://www.phonefactor.com/PfWsSdk/{op}""#
                )),
                "{op}"
            );
        }
        assert!(doc.contains(r#"<wsdl:binding name="PfWsSdkSoap""#));
    }
}
