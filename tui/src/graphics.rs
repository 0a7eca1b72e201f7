//! Images in the terminal, for the export preview: what the terminal can
//! show (found out once at start-up), and a PNG made into a [`Picture`] a
//! frame can draw.
//!
//! ratatui-image does the drawing: Kitty, Sixel or iTerm2 graphics where the
//! terminal answers that it has them, half blocks (`▀`, two pixels a cell,
//! in the cell's foreground and background colours) everywhere else. Under
//! tmux the query is skipped and half blocks are used: graphics through tmux
//! need passthrough and still break on pane switches, and half blocks
//! always work.
//!
//! Decoding and scaling are CPU work that must not stall the UI loop, so
//! [`Picture::from_png`] runs in a task and does both, encoding for the area
//! the picture will be drawn in; drawing it is then only a copy into the
//! frame. Only a picture drawn in an area of another size (the terminal was
//! resized) is scaled again while drawing.

use std::sync::{Arc, Mutex, OnceLock};

use image::imageops::FilterType;
use ratatui::layout::{Rect, Size};
use ratatui::Frame;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, ResizeEncodeRender, StatefulImage};

static PICKER: OnceLock<Picker> = OnceLock::new();

/// Set `VITAE_GRAPHICS=halfblocks` to skip asking the terminal (one that
/// does not answer makes the start wait up to two seconds).
const GRAPHICS_ENV: &str = "VITAE_GRAPHICS";

/// Find out how the terminal shows images. Call once, on the alternate
/// screen in raw mode and before anything reads terminal events: the query
/// writes escape sequences and reads the answers from stdin.
pub fn detect() {
    let halfblocks_only = in_tmux()
        || std::env::var(GRAPHICS_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("halfblocks"));
    let picker = if halfblocks_only {
        Picker::halfblocks()
    } else {
        Picker::from_query_stdio().unwrap_or_else(|e| {
            tracing::debug!(error = %e, "the terminal did not say what graphics it has");
            Picker::halfblocks()
        })
    };
    tracing::debug!(protocol = ?picker.protocol_type(), "terminal graphics");
    let _ = PICKER.set(picker);
}

/// Whether we run inside tmux (or screen), which passes graphics through
/// only when configured to.
fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t.starts_with("tmux") || t.starts_with("screen"))
}

/// What [`detect`] found; half blocks when it never ran (tests, benches).
pub fn picker() -> &'static Picker {
    PICKER.get_or_init(Picker::halfblocks)
}

/// Whether pictures are terminal graphics rather than characters: what
/// they leave on screen is then not in ratatui's cells, and a screen that
/// showed one needs a full repaint when it closes.
pub fn draws_pixels() -> bool {
    picker().protocol_type() != ProtocolType::Halfblocks
}

/// How the preview is drawn, for the screen to say.
pub fn protocol_name() -> &'static str {
    match picker().protocol_type() {
        ProtocolType::Halfblocks => "half blocks",
        ProtocolType::Sixel => "Sixel",
        ProtocolType::Kitty => "Kitty graphics",
        ProtocolType::Iterm2 => "iTerm2 images",
    }
}

/// Scale to fit, keeping the aspect ratio, with a filter that keeps thin
/// text strokes (nearest-neighbour drops them).
fn resize() -> Resize {
    Resize::Fit(Some(FilterType::Triangle))
}

/// A decoded image ready to draw. Clones share one image (it is made once,
/// in a task, and handed to the screen in a message).
#[derive(Clone)]
pub struct Picture {
    protocol: Arc<Mutex<StatefulProtocol>>,
    /// Size of the decoded image in pixels.
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}×{} px)", self.width, self.height)
    }
}

impl Picture {
    /// Decode a PNG and scale it for an area of `cells` (columns × rows).
    pub fn from_png(bytes: &[u8], cells: (u16, u16)) -> Result<Picture, String> {
        let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .map_err(|e| format!("the preview is not a PNG this client can read: {e}"))?;
        let (width, height) = (image.width(), image.height());
        let mut protocol = picker().new_resize_protocol(image);
        let area = Size::new(cells.0.max(1), cells.1.max(1));
        let fitted = protocol.size_for(resize(), area);
        if let Some(size) = protocol.needs_resize(&resize(), fitted) {
            protocol.resize_encode(&resize(), size);
        }
        if let Some(Err(e)) = protocol.last_encoding_result() {
            return Err(format!("cannot draw the preview: {e}"));
        }
        Ok(Picture {
            protocol: Arc::new(Mutex::new(protocol)),
            width,
            height,
        })
    }

    /// Where in `area` the picture goes: as large as fits, centred.
    pub fn placement(&self, area: Rect) -> Rect {
        let available = Size::new(area.width, area.height);
        let fitted = match self.protocol.lock() {
            Ok(protocol) => protocol.size_for(resize(), available),
            Err(_) => available,
        };
        Rect {
            x: area.x + area.width.saturating_sub(fitted.width) / 2,
            y: area.y + area.height.saturating_sub(fitted.height) / 2,
            width: fitted.width.min(area.width),
            height: fitted.height.min(area.height),
        }
    }

    /// Draw it centred in `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let at = self.placement(area);
        if let Ok(mut protocol) = self.protocol.lock() {
            frame.render_stateful_widget(
                StatefulImage::default().resize(resize()),
                at,
                &mut *protocol,
            );
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A `width`×`height` PNG that looks like a page: light, with twenty
    /// bands of which every other one is a dark "line of text" inside the
    /// margins (so half blocks have two colours to show in each cell).
    pub fn page_png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            let text_line = (y * 20 / height) % 2 == 1;
            let inside = x > width / 10 && x < width * 9 / 10;
            if text_line && inside {
                image::Rgb([20, 40, 80])
            } else {
                image::Rgb([250, 250, 250])
            }
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    }

    #[test]
    fn a_png_is_decoded_and_fitted_into_the_area() {
        let picture = Picture::from_png(&page_png(40, 80), (20, 10)).unwrap();
        assert_eq!((picture.width, picture.height), (40, 80));
        // Half blocks at 10×20 px a cell: 40×80 px is 4×4 cells, centred.
        let at = picture.placement(Rect::new(0, 0, 20, 10));
        assert_eq!(at, Rect::new(8, 3, 4, 4));
        assert!(Picture::from_png(b"not a png", (10, 10)).is_err());
    }
}
