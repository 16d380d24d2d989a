// Which Active Directory attribute may decide whose phone a number is: never one the account
// owner can write. A user object's default security descriptor (the user class's
// defaultSecurityDescriptor) grants PRINCIPAL SELF read and write of three property sets:
//   (OA;;RPWP;77b5b886-944a-11d1-aebd-0000f80367c1;;PS)  Personal-Information
//   (OA;;RPWP;e45795b2-9455-11d1-aebd-0000f80367c1;;PS)  Email-Information ("Phone and Mail
//                                                         Options"; no members in the base schema)
//   (OA;;RPWP;e45795b3-9455-11d1-aebd-0000f80367c1;;PS)  Web-Information
// so anyone can put a victim's number into their own `mobile` and receive the victim's push.
// The members below are the Windows Server 2012 schema's (the newest the schema reference
// lists), by lDAPDisplayName: learn.microsoft.com/windows/win32/adschema/r-personal-information
// and r-web-information; property sets in MS-ADTS 3.1.1.2.3.3 "Property Set" (each attribute's
// "Update Privilege" in MS-ADA1/2/3 says "Domain administrator or account owner").
// A numeric OID is refused too (it could name one of these without the name). Install-MfaMimProvider,
// the provider's settings reader and the directory lookup all ask Problem(), on every platform.
using System;
using System.Collections.Generic;

namespace MfaApproval.Hosting
{
    public static class DirectoryAttributes
    {
        /// <summary>Personal-Information (rightsGuid 77b5b886-944a-11d1-aebd-0000f80367c1).</summary>
        public static readonly string[] PersonalInformation =
        {
            "streetAddress", "homePostalAddress", "assistant", "info", "c", "facsimileTelephoneNumber",
            "internationalISDNNumber", "l", "msDS-HostServiceAccount", "msDS-SupportedEncryptionTypes",
            "msDS-LastSuccessfulInteractiveLogonTime", "msDS-LastFailedInteractiveLogonTime",
            "msDS-FailedInteractiveLogonCount", "msDS-FailedInteractiveLogonCountAtLastSuccessfulLogon",
            "mSMQDigests", "mSMQSignCertificates", "personalTitle", "otherFacsimileTelephoneNumber",
            "otherHomePhone", "homePhone", "otherIpPhone", "ipPhone", "primaryInternationalISDNNumber",
            "otherMobile", "mobile", "otherTelephone", "otherPager", "pager", "physicalDeliveryOfficeName",
            "thumbnailPhoto", "postOfficeBox", "postalAddress", "postalCode", "preferredDeliveryMethod",
            "registeredAddress", "st", "street", "telephoneNumber", "teletexTerminalIdentifier", "telexNumber",
            "primaryTelexNumber", "userCert", "userSharedFolder", "userSharedFolderOther", "userSMIMECertificate",
            "x121Address", "userCertificate", "msDS-AllowedToActOnBehalfOfOtherIdentity",
            "msDS-GeoCoordinatesAltitude", "msDS-GeoCoordinatesLatitude", "msDS-GeoCoordinatesLongitude",
        };

        /// <summary>Web-Information (rightsGuid e45795b3-9455-11d1-aebd-0000f80367c1).</summary>
        public static readonly string[] WebInformation = { "wWWHomePage", "url" };

        // A Dictionary as a set: the module assembly references no System.Core.
        static readonly Dictionary<string, bool> SelfWritable = Build();

        static Dictionary<string, bool> Build()
        {
            Dictionary<string, bool> set = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            foreach (string a in PersonalInformation) set[a] = true;
            foreach (string a in WebInformation) set[a] = true;
            return set;
        }

        /// <summary>True for an attribute every account owner may write on their own user object.</summary>
        public static bool IsSelfWritable(string attribute)
        {
            return attribute != null && SelfWritable.ContainsKey(attribute.Trim());
        }

        /// <summary>Why <paramref name="attribute"/> cannot say whose phone a number is (the
        /// sentence starts with the attribute), or null when it may. Platform-independent: asked
        /// before any check of the platform.</summary>
        public static string Problem(string attribute)
        {
            if (!Ldap.IsAttributeName(attribute))
            {
                return "'" + Cut(attribute) + "' is not an LDAP attribute name (letters, digits and '-', such as extensionAttribute7).";
            }
            if (attribute[0] >= '0' && attribute[0] <= '9')
            {
                return "'" + attribute + "' is an OID; give the attribute's name (lDAPDisplayName), so it can be checked against the attributes users may write themselves.";
            }
            if (IsSelfWritable(attribute))
            {
                string set = Array.Exists(WebInformation, delegate(string a) { return string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase); }) ? "Web-Information" : "Personal-Information";
                return "'" + attribute + "' is in Active Directory's " + set + " property set, which every user may write on their own account (PRINCIPAL SELF has write access by default): anyone could put another person's phone number there and receive that person's push. "
                    + "Use the phone map (-PhoneMap, a file only administrators can change; Export-MfaPhoneMap drafts one from the directory for review), or an attribute only administrators write.";
            }
            return null;
        }

        static string Cut(string s)
        {
            if (s == null) return string.Empty;
            return s.Length > 64 ? s.Substring(0, 64) + "..." : s;
        }
    }
}
