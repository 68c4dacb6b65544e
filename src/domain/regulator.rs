//! Professional regulators and the registration numbers they publish.
//!
//! A registration number is stored as the holder typed it, e.g.
//! `"GMC 1234567"`, `"nmc: 12a3456e"` or just `"PA12345"`. This module reads
//! such a string: which regulator it belongs to, and whether the number has
//! the shape that regulator publishes. Two entry points share one reading:
//!
//! - [`RegistrationNumber::parse`] is strict, for the edge where a person
//!   enters a number: a number that names (or looks like) one of the four
//!   regulators but has the wrong shape is refused with a message saying
//!   what the shape is.
//! - [`RegistrationNumber::recognise`] never fails, for numbers already
//!   stored: it says which regulator a number belongs to when that can be
//!   told, so a certificate can carry that regulator's guidance.
//!
//! Pure: no I/O, and no look-ups in the registers themselves.

use crate::domain::account::StaffGroup;
use crate::domain::field_error::FieldError;

/// The regulators whose CPD schemes certificates speak to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Regulator {
    /// Nursing and Midwifery Council: nurses, midwives, nursing associates.
    Nmc,
    /// General Medical Council: doctors.
    Gmc,
    /// Health and Care Professions Council: allied health professions and others.
    Hcpc,
    /// General Pharmaceutical Council: pharmacists and pharmacy technicians.
    Gphc,
}

/// HCPC profession prefixes (arts therapists, biomedical scientists,
/// chiropodists and podiatrists, clinical scientists, dietitians, hearing
/// aid dispensers, operating department practitioners, orthoptists,
/// occupational therapists, paramedics, physiotherapists, prosthetists and
/// orthotists, practitioner psychologists, radiographers, speech and
/// language therapists). Most are two letters; three have three.
const HCPC_PREFIXES: [&str; 15] = [
    "AS", "BS", "CH", "CS", "DT", "HAD", "ODP", "OR", "OT", "PA", "PH", "PO", "PYL", "RA", "SL",
];

/// Other UK registers whose short name may prefix a number ("GDC 123456").
/// They are recognised as the register's name only: certificates give their
/// holders the general guidance.
const OTHER_REGISTERS: [&str; 8] = ["GDC", "GOC", "GOsC", "GCC", "PSNI", "AHCS", "RCCP", "SWE"];

/// Characters people put between a regulator's name and the number.
const SEPARATORS: [char; 4] = [' ', ':', '-', '#'];

impl Regulator {
    /// Every regulator, in the order they are listed to people.
    pub const ALL: [Regulator; 4] = [
        Regulator::Nmc,
        Regulator::Gmc,
        Regulator::Hcpc,
        Regulator::Gphc,
    ];

    /// The short name regulators and employers use, e.g. "GPhC".
    pub fn short_name(self) -> &'static str {
        match self {
            Regulator::Nmc => "NMC",
            Regulator::Gmc => "GMC",
            Regulator::Hcpc => "HCPC",
            Regulator::Gphc => "GPhC",
        }
    }

    /// The regulator's full name.
    pub fn full_name(self) -> &'static str {
        match self {
            Regulator::Nmc => "Nursing and Midwifery Council",
            Regulator::Gmc => "General Medical Council",
            Regulator::Hcpc => "Health and Care Professions Council",
            Regulator::Gphc => "General Pharmaceutical Council",
        }
    }

    /// The regulator named by `short` ("nmc", "GPhC"), ignoring case.
    pub fn from_short_name(short: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|regulator| regulator.short_name().eq_ignore_ascii_case(short.trim()))
    }

    /// The shape of this regulator's numbers, in words for an error message.
    pub fn format_hint(self) -> &'static str {
        match self {
            Regulator::Nmc => {
                "an NMC PIN is 2 digits, a letter, 4 digits and a letter, e.g. 12A3456E"
            }
            Regulator::Gmc => "a GMC reference number is 7 digits, e.g. 1234567",
            Regulator::Hcpc => {
                "an HCPC registration number is the profession's letters followed by \
                 digits, e.g. PA12345"
            }
            Regulator::Gphc => "a GPhC registration number is 7 digits, e.g. 2012345",
        }
    }

    /// Whether `number` (already upper-cased, spaces removed) has this
    /// regulator's published shape.
    pub fn accepts(self, number: &str) -> bool {
        let bytes = number.as_bytes();
        let digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
        match self {
            Regulator::Nmc => {
                bytes.len() == 8
                    && digits(&bytes[..2])
                    && bytes[2].is_ascii_uppercase()
                    && digits(&bytes[3..7])
                    && bytes[7].is_ascii_uppercase()
            }
            Regulator::Gmc | Regulator::Gphc => bytes.len() == 7 && digits(bytes),
            Regulator::Hcpc => HCPC_PREFIXES.iter().any(|prefix| {
                number
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.len() <= 7 && digits(rest.as_bytes()))
            }),
        }
    }

    /// The one regulator a staff group's registered members answer to, if
    /// there is exactly one (doctors and dentists share a staff group but
    /// not a regulator, so that group has none).
    fn of_staff_group(group: StaffGroup) -> Option<Self> {
        match group {
            StaffGroup::NursingAndMidwifery => Some(Regulator::Nmc),
            StaffGroup::AlliedHealthProfessions => Some(Regulator::Hcpc),
            StaffGroup::Pharmacy => Some(Regulator::Gphc),
            _ => None,
        }
    }
}

/// Who registered a number: one of the four regulators, another register
/// named in the number, or nobody that can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Register {
    /// One of the regulators certificates have guidance for.
    Known(Regulator),
    /// Another register the holder named, e.g. "GDC".
    Other(&'static str),
    /// The number names no register and its shape does not tell.
    Unknown,
}

impl Register {
    /// The label printed before the number, e.g. "GPhC" or "Registration no.".
    pub fn label(&self) -> &'static str {
        match self {
            Register::Known(regulator) => regulator.short_name(),
            Register::Other(name) => name,
            Register::Unknown => "Registration no.",
        }
    }

    /// The regulator, when it is one of the four.
    pub fn regulator(&self) -> Option<Regulator> {
        match self {
            Register::Known(regulator) => Some(*regulator),
            _ => None,
        }
    }
}

/// A registration number read from what the holder typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationNumber {
    /// Whose register it is on.
    pub register: Register,
    /// The number without the register's name: upper-cased with spaces
    /// removed when it has its regulator's shape, else trimmed as typed.
    pub number: String,
    /// Whether the number has the shape its regulator publishes (always
    /// false when the register is not one of the four).
    pub well_formed: bool,
}

impl RegistrationNumber {
    /// Reads a stored number, never failing on its shape: a named register
    /// is believed (the holder said so), an unnamed number is placed by its
    /// shape, with the staff group settling 7 digits (GMC or GPhC). `None`
    /// for a blank number.
    pub fn recognise(raw: &str, group: StaffGroup) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if let Some((register, rest)) = named_register(raw) {
            let compact = compact(rest);
            let well_formed = register.regulator().is_some_and(|r| r.accepts(&compact));
            let number = if well_formed {
                compact
            } else {
                rest.to_owned()
            };
            return Some(RegistrationNumber {
                register,
                number,
                well_formed,
            });
        }
        let compact = compact(raw);
        let by_shape: Vec<Regulator> = Regulator::ALL
            .into_iter()
            .filter(|regulator| regulator.accepts(&compact))
            .collect();
        let regulator = match by_shape.as_slice() {
            [] => None,
            [only] => Some(*only),
            // GMC and GPhC numbers are both 7 digits: the staff group tells.
            several => match group {
                StaffGroup::MedicalAndDental => Some(Regulator::Gmc),
                other => Regulator::of_staff_group(other),
            }
            .filter(|regulator| several.contains(regulator)),
        };
        Some(match regulator {
            Some(regulator) => RegistrationNumber {
                register: Register::Known(regulator),
                number: compact,
                well_formed: true,
            },
            None => RegistrationNumber {
                register: Register::Unknown,
                number: raw.to_owned(),
                well_formed: false,
            },
        })
    }

    /// Reads a number a person has just entered, refusing one that belongs
    /// to one of the four regulators (by name, or by the staff group's only
    /// regulator) but does not have its shape. Numbers on other registers,
    /// and numbers of staff groups without one regulator, are kept as typed.
    pub fn parse(raw: &str, group: StaffGroup) -> Result<Self, FieldError> {
        let blank = || FieldError::new("registration_number", "must not be blank");
        let read = Self::recognise(raw, group).ok_or_else(blank)?;
        let expected = match read.register {
            Register::Known(regulator) => Some(regulator),
            Register::Unknown => Regulator::of_staff_group(group),
            Register::Other(_) => None,
        };
        match expected {
            Some(regulator) if !read.well_formed => Err(FieldError::new(
                "registration_number",
                format!("does not look right: {}", regulator.format_hint()),
            )),
            _ => Ok(read),
        }
    }
}

/// A register's name at the start of `raw`, followed by a separator, and
/// the number after it.
fn named_register(raw: &str) -> Option<(Register, &str)> {
    let known = Regulator::ALL
        .into_iter()
        .map(|regulator| (regulator.short_name(), Register::Known(regulator)));
    let others = OTHER_REGISTERS
        .into_iter()
        .map(|name| (name, Register::Other(name)));
    known.chain(others).find_map(|(name, register)| {
        let head = raw.get(..name.len())?;
        let rest = &raw[name.len()..];
        let number = rest.trim_start_matches(SEPARATORS).trim();
        (head.eq_ignore_ascii_case(name) && rest.starts_with(SEPARATORS) && !number.is_empty())
            .then_some((register, number))
    })
}

/// Upper case without spaces, the way registers print numbers.
fn compact(number: &str) -> String {
    number
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str, group: StaffGroup) -> (Register, String, bool) {
        let number = RegistrationNumber::recognise(raw, group).unwrap();
        (number.register, number.number, number.well_formed)
    }

    #[test]
    fn each_regulator_accepts_its_published_shape_and_nothing_close() {
        let cases = [
            (Regulator::Nmc, "12A3456E", true),
            (Regulator::Nmc, "12A3456", false),
            (Regulator::Nmc, "1AA3456E", false),
            (Regulator::Nmc, "12A34567", false),
            (Regulator::Gmc, "1234567", true),
            (Regulator::Gmc, "123456", false),
            (Regulator::Gmc, "12345678", false),
            (Regulator::Gmc, "123456A", false),
            (Regulator::Gphc, "2012345", true),
            (Regulator::Gphc, "20123", false),
            (Regulator::Hcpc, "PA12345", true),
            (Regulator::Hcpc, "PYL01234", true),
            (Regulator::Hcpc, "ZZ12345", false),
            (Regulator::Hcpc, "PA", false),
            (Regulator::Hcpc, "PA12X45", false),
        ];
        for (regulator, number, ok) in cases {
            assert_eq!(regulator.accepts(number), ok, "{regulator:?} {number}");
        }
    }

    #[test]
    fn a_named_regulator_is_read_with_any_separator_and_case() {
        use StaffGroup::Other;
        let gphc = Register::Known(Regulator::Gphc);
        assert_eq!(
            read("GPhC 2012345", Other),
            (gphc.clone(), "2012345".into(), true)
        );
        assert_eq!(read("gphc:2012345", Other), (gphc, "2012345".into(), true));
        let nmc = Register::Known(Regulator::Nmc);
        assert_eq!(
            read(" nmc - 12a3456e ", Other),
            (nmc, "12A3456E".into(), true)
        );
        let gmc = Register::Known(Regulator::Gmc);
        assert_eq!(read("GMC #123 4567", Other), (gmc, "1234567".into(), true));
        assert_eq!(
            read("GDC 12345", Other),
            (Register::Other("GDC"), "12345".into(), false)
        );
        // A name glued to the number without a separator is not a name.
        assert_eq!(read("GMC1234567", Other).0, Register::Unknown);
    }

    #[test]
    fn a_named_regulator_is_believed_even_when_the_shape_is_wrong() {
        let (register, number, well_formed) = read("NMC 12-34", StaffGroup::Other);
        assert_eq!(register, Register::Known(Regulator::Nmc));
        assert_eq!((number.as_str(), well_formed), ("12-34", false));
    }

    #[test]
    fn an_unnamed_number_is_placed_by_its_shape_and_the_staff_group_settles_seven_digits() {
        let known = |r| Register::Known(r);
        assert_eq!(read("12A3456E", StaffGroup::Other).0, known(Regulator::Nmc));
        assert_eq!(read("pa12345", StaffGroup::Other).0, known(Regulator::Hcpc));
        assert_eq!(
            read("2012345", StaffGroup::Pharmacy).0,
            known(Regulator::Gphc)
        );
        assert_eq!(
            read("7654321", StaffGroup::MedicalAndDental).0,
            known(Regulator::Gmc)
        );
        assert_eq!(read("7654321", StaffGroup::Management).0, Register::Unknown);
        assert_eq!(read("ABC-99", StaffGroup::Pharmacy).0, Register::Unknown);
        assert!(RegistrationNumber::recognise("   ", StaffGroup::Other).is_none());
    }

    #[test]
    fn parse_refuses_a_number_in_the_wrong_shape_for_its_regulator() {
        let error = RegistrationNumber::parse("NMC 1234", StaffGroup::Other).unwrap_err();
        assert_eq!(error.field, "registration_number");
        assert!(error.message.contains("12A3456E"), "{}", error.message);
        // A pharmacist's unnamed number must look like a GPhC number.
        let error = RegistrationNumber::parse("12345", StaffGroup::Pharmacy).unwrap_err();
        assert!(error.message.contains("GPhC"), "{}", error.message);
        assert!(RegistrationNumber::parse("", StaffGroup::Other).is_err());
        let ok = RegistrationNumber::parse("hcpc PH123456", StaffGroup::Other).unwrap();
        assert_eq!(
            (ok.register, ok.number.as_str()),
            (Register::Known(Regulator::Hcpc), "PH123456")
        );
        // Other registers and unplaceable numbers of mixed groups are kept.
        assert!(RegistrationNumber::parse("GDC 12345", StaffGroup::MedicalAndDental).is_ok());
        assert!(RegistrationNumber::parse("X-1", StaffGroup::Management).is_ok());
    }

    #[test]
    fn short_names_round_trip_ignoring_case() {
        for regulator in Regulator::ALL {
            assert_eq!(
                Regulator::from_short_name(&regulator.short_name().to_lowercase()),
                Some(regulator)
            );
        }
        assert_eq!(Regulator::from_short_name("GDC"), None);
        assert_eq!(
            Regulator::Gphc.full_name(),
            "General Pharmaceutical Council"
        );
    }
}
