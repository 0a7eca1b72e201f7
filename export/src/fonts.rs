//! Fonts: the faces compiled into the binary (Typst's assets and DejaVu
//! Sans), plus whatever the machine has in its system font directories,
//! found once when the [`crate::Engine`] starts.
//!
//! Shipped faces are parsed at start; system faces are only indexed (their
//! metadata read, the bytes dropped) and loaded on first use, so a machine
//! with a large CJK collection does not pay for it in memory until a resume
//! needs it. [`FontSet::missing_scripts`] tells which scripts of a text no
//! loaded face covers, so an export can say so instead of silently drawing
//! missing-glyph boxes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`):
/// the shipped sans serif, with Latin incl. Vietnamese, Greek, Cyrillic,
/// Hebrew and Arabic.
const DEJAVU: [&[u8]; 4] = [
    include_bytes!("../fonts/DejaVuSans.ttf"),
    include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../fonts/DejaVuSans-BoldOblique.ttf"),
];

/// Where system fonts are looked for, besides `VITAE_FONT_DIRS`
/// (colon-separated).
const SYSTEM_DIRS: [&str; 4] = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
];

/// How deep to walk a font directory, and how many files to index at most:
/// a guard against symlink loops and enormous trees.
const MAX_DEPTH: usize = 6;
const MAX_FILES: usize = 4096;

enum Source {
    Shipped(&'static [u8]),
    File(PathBuf),
}

struct Slot {
    source: Source,
    index: u32,
    font: OnceLock<Option<Font>>,
}

/// Every face the engine can use, with the book Typst picks them from.
pub struct FontSet {
    book: LazyHash<FontBook>,
    infos: Vec<FontInfo>,
    slots: Vec<Slot>,
    shipped_bytes: usize,
    system_faces: usize,
    fingerprint: String,
}

impl FontSet {
    /// Load the shipped faces and index the system ones.
    pub fn load() -> FontSet {
        let mut set = FontSet {
            book: LazyHash::new(FontBook::new()),
            infos: Vec::new(),
            slots: Vec::new(),
            shipped_bytes: 0,
            system_faces: 0,
            fingerprint: String::new(),
        };
        let mut description = String::new();
        for data in typst_assets::fonts().chain(DEJAVU) {
            set.shipped_bytes += data.len();
            for font in Font::iter(Bytes::new(data)) {
                let _ = writeln!(description, "shipped {:?} {}", font.info(), data.len());
                let slot = set.push(Source::Shipped(data), font.index(), font.info().clone());
                // Shipped faces are parsed already: keep them, no second parse.
                let _ = slot.font.set(Some(font));
            }
        }
        let mut files = Vec::new();
        for dir in system_dirs() {
            walk(&dir, 0, &mut files);
        }
        files.sort();
        files.dedup();
        for path in files {
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            for (index, info) in FontInfo::iter(&data).enumerate() {
                let _ = writeln!(
                    description,
                    "system {} {} {:?}",
                    path.display(),
                    data.len(),
                    info
                );
                set.system_faces += 1;
                set.push(
                    Source::File(path.clone()),
                    u32::try_from(index).unwrap_or(0),
                    info,
                );
            }
        }
        let mut book = FontBook::new();
        for info in &set.infos {
            book.push(info.clone());
        }
        set.book = LazyHash::new(book);
        set.fingerprint = hex(&Sha256::digest(description.as_bytes()))[..16].to_string();
        set
    }

    fn push(&mut self, source: Source, index: u32, info: FontInfo) -> &Slot {
        self.infos.push(info);
        self.slots.push(Slot {
            source,
            index,
            font: OnceLock::new(),
        });
        &self.slots[self.slots.len() - 1]
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    /// The face at `index` of the book, loaded on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| match &slot.source {
                Source::Shipped(data) => Font::new(Bytes::new(*data), slot.index),
                Source::File(path) => {
                    let data = std::fs::read(path).ok()?;
                    Font::new(Bytes::new(data), slot.index)
                }
            })
            .clone()
    }

    /// Bytes of font data compiled into the binary.
    pub fn shipped_bytes(&self) -> usize {
        self.shipped_bytes
    }

    /// Faces found in the system font directories.
    pub fn system_faces(&self) -> usize {
        self.system_faces
    }

    /// Family names of every face, shipped first, without repeats.
    pub fn families(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for info in &self.infos {
            if !out.contains(&info.family) {
                out.push(info.family.clone());
            }
        }
        out
    }

    /// A short hash of every face's identity: part of the engine
    /// fingerprint, so a cached export is not served after the fonts changed.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The names of the scripts in `text` that no face covers, each once, in
    /// order of first appearance.
    pub fn missing_scripts<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut seen: Vec<char> = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for c in texts.into_iter().flat_map(str::chars) {
            if c.is_ascii() || c.is_whitespace() || c.is_control() || seen.contains(&c) {
                continue;
            }
            seen.push(c);
            if is_format_char(c) || self.infos.iter().any(|i| i.coverage.contains(c as u32)) {
                continue;
            }
            let name = script_name(c);
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

/// Invisible formatting characters (joiners, direction marks, variation
/// selectors) need no glyph.
fn is_format_char(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFE00..=0xFE0F | 0xFEFF)
}

/// A human name for the script of `c`, for the "no font for …" warning.
fn script_name(c: char) -> String {
    const SCRIPTS: &[(u32, u32, &str)] = &[
        (0x0370, 0x03FF, "Greek"),
        (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"),
        (0x0590, 0x05FF, "Hebrew"),
        (0xFB1D, 0xFB4F, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"),
        (0x0750, 0x077F, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"),
        (0xFE70, 0xFEFF, "Arabic"),
        (0x0900, 0x097F, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"),
        (0x0B80, 0x0BFF, "Tamil"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x10A0, 0x10FF, "Georgian"),
        (0x1100, 0x11FF, "Korean"),
        (0xAC00, 0xD7AF, "Korean"),
        (0x3130, 0x318F, "Korean"),
        (0x1EA0, 0x1EFF, "Vietnamese"),
        (0x01A0, 0x01B0, "Vietnamese"),
        (0x3040, 0x309F, "Japanese"),
        (0x30A0, 0x30FF, "Japanese"),
        (0x3400, 0x4DBF, "Chinese"),
        (0x4E00, 0x9FFF, "Chinese"),
        (0x3000, 0x303F, "CJK punctuation"),
        (0xFF00, 0xFFEF, "CJK full-width forms"),
        (0x1F300, 0x1FAFF, "Emoji"),
        (0x2600, 0x27BF, "Symbols"),
    ];
    let cp = c as u32;
    SCRIPTS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&cp))
        .map(|(_, _, name)| name.to_string())
        .unwrap_or_else(|| format!("characters such as U+{cp:04X}"))
}

fn system_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var("VITAE_FONT_DIRS")
        .ok()
        .map(|v| {
            v.split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    dirs.extend(SYSTEM_DIRS.iter().map(PathBuf::from));
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH || out.len() >= MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if out.len() >= MAX_FILES {
            return;
        }
        if path.is_dir() {
            walk(&path, depth + 1, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .is_some_and(|e| matches!(e.as_str(), "ttf" | "otf" | "ttc" | "otc"))
        {
            out.push(path);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fonts_cover_latin_greek_cyrillic_hebrew_arabic_vietnamese() {
        let set = FontSet::load();
        assert!(set.shipped_bytes() > 10_000_000);
        let text = "Zoë Ελληνικά Русский עברית العربية Tiếng Việt";
        assert!(
            set.missing_scripts([text]).is_empty(),
            "{:?}",
            set.missing_scripts([text])
        );
        assert!(set.families().iter().any(|f| f == "DejaVu Sans"));
    }

    #[test]
    fn uncovered_scripts_are_named() {
        assert_eq!(script_name('中'), "Chinese");
        assert_eq!(script_name('ア'), "Japanese");
        assert_eq!(script_name('한'), "Korean");
        assert_eq!(script_name('\u{10900}'), "characters such as U+10900");
    }
}
