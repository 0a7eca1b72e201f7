//! The Typst `World` the templates compile in: a sealed, virtual file
//! system with the embedded template sources, the resume view as
//! `/resume.json` and the options as `/options.json`, and nothing else.
//!
//! [`Shared`] holds what lives as long as the engine (standard library,
//! fonts, parsed template sources); [`RenderWorld`] borrows it for one
//! render and adds that render's two data files. Any other path — `/etc/passwd`,
//! a package import, a file next to the template — is `FileError::NotFound`,
//! so a resume cannot make a template read anything.

use std::path::PathBuf;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::FontSet;
use crate::templates::{self, LIB_SOURCE};
use crate::ExportError;

/// Virtual paths of the data files; the templates read exactly these.
pub const RESUME_PATH: &str = "/resume.json";
pub const OPTIONS_PATH: &str = "/options.json";

/// What every render shares: built once by [`crate::Engine::new`].
pub struct Shared {
    library: LazyHash<Library>,
    pub(crate) fonts: FontSet,
    /// `lib.typ`, then one source per template in catalogue order.
    sources: Vec<Source>,
    resume_id: FileId,
    options_id: FileId,
}

fn file_id(path: &str) -> Result<FileId, ExportError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ExportError::Internal(format!("bad virtual path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Shared {
    pub fn new(fonts: FontSet) -> Result<Shared, ExportError> {
        let mut sources = vec![Source::new(file_id("/lib.typ")?, LIB_SOURCE.to_string())];
        for t in templates::templates() {
            sources.push(Source::new(file_id(&t.main_path())?, t.source.to_string()));
        }
        Ok(Shared {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            sources,
            resume_id: file_id(RESUME_PATH)?,
            options_id: file_id(OPTIONS_PATH)?,
        })
    }

    /// The main file of a template.
    pub fn main_of(&self, template: &str) -> Option<FileId> {
        let index = templates::templates()
            .iter()
            .position(|t| t.id == template)?;
        self.sources.get(index + 1).map(Source::id)
    }
}

/// One render's world: the shared parts plus this render's data files.
pub struct RenderWorld<'a> {
    shared: &'a Shared,
    main: FileId,
    resume: Bytes,
    options: Bytes,
    today: Option<Datetime>,
}

impl<'a> RenderWorld<'a> {
    pub fn new(
        shared: &'a Shared,
        main: FileId,
        resume: Vec<u8>,
        options: Vec<u8>,
        today: Option<Datetime>,
    ) -> RenderWorld<'a> {
        RenderWorld {
            shared,
            main,
            resume: Bytes::new(resume),
            options: Bytes::new(options),
            today,
        }
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(PathBuf::from(id.get().vpath().get_with_slash()))
    }
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.shared
            .sources
            .iter()
            .find(|s| s.id() == id)
            .cloned()
            .ok_or_else(|| Self::not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.resume_id {
            Ok(self.resume.clone())
        } else if id == self.shared.options_id {
            Ok(self.options.clone())
        } else if let Some(source) = self.shared.sources.iter().find(|s| s.id() == id) {
            Ok(Bytes::from_string(source.clone()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_virtual_files_exist() {
        let shared = Shared::new(FontSet::load()).unwrap();
        let main = shared.main_of("classic").unwrap();
        let world = RenderWorld::new(&shared, main, b"{}".to_vec(), b"{}".to_vec(), None);
        assert!(world.file(file_id(RESUME_PATH).unwrap()).is_ok());
        assert!(world.source(file_id("/lib.typ").unwrap()).is_ok());
        for path in [
            "/etc/passwd",
            "/../etc/hosts",
            "/resume.typ",
            "/fonts/x.ttf",
        ] {
            let Ok(id) = file_id(path) else { continue };
            assert!(
                matches!(world.file(id), Err(FileError::NotFound(_))),
                "{path} was served"
            );
        }
        assert!(world.today(None).is_none(), "no date unless asked");
    }
}
