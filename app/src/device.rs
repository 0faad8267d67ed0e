//! Browser features the field screens use: storage estimates and
//! persistence, photos resized on the device, saving and reading files.
//! Browser-only (`hydrate`).

use crate::records::StorageInfo;
use domain::attachment::{AttachmentRef, Position};
use domain::case::Case;
use domain::rules::FormCode;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File};

/// The long side of a stored photo, in pixels: enough to read a signed
/// paper form, small enough (~300 KB) for a cheap phone and a weak signal.
pub const PHOTO_LONG_SIDE: f64 = 1600.0;
const JPEG_QUALITY: f64 = 0.82;

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn wait(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(js_err)?)
        .await
        .map_err(js_err)
}

fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_owned())
}

pub async fn storage_info() -> Result<StorageInfo, String> {
    let storage = window()?.navigator().storage();
    let estimate = wait(storage.estimate()).await?;
    let number = |key: &str| {
        Reflect::get(&estimate, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let persisted = wait(storage.persisted()).await?.as_bool().unwrap_or(false);
    Ok(StorageInfo {
        used_bytes: number("usage"),
        quota_bytes: number("quota"),
        persisted,
    })
}

pub async fn request_persistence() -> Result<bool, String> {
    let storage = window()?.navigator().storage();
    Ok(wait(storage.persist()).await?.as_bool().unwrap_or(false))
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str, content_type: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_err)?;
    offer(name, &blob)
}

/// Offers `bytes` (a workbook, a CSV from the server) as a file download.
pub fn download_bytes(name: &str, bytes: &[u8], content_type: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_err)?;
    offer(name, &blob)
}

fn offer(name: &str, blob: &Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(js_err)?;
    let document = window()?.document().ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_err)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // some browsers read the file after the click returns: free it later
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Ok(())
}

/// A chosen file's text.
pub async fn read_text(file: &File) -> Result<String, String> {
    let blob = gloo_file::Blob::from(Blob::from(file.clone()));
    gloo_file::futures::read_as_text(&blob)
        .await
        .map_err(|e| e.to_string())
}

/// The first file of an `<input type=file>` change event.
pub fn chosen_file(ev: &web_sys::Event) -> Option<File> {
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    input.files()?.get(0)
}

/// Decodes a camera photo, scales it to [`PHOTO_LONG_SIDE`] and encodes it
/// as JPEG, on the device. Returns the JPEG.
pub async fn compress_photo(file: &File) -> Result<Blob, String> {
    let bitmap: web_sys::ImageBitmap = wait(window()?.create_image_bitmap_with_blob(file))
        .await
        .map_err(|e| format!("无法读取这张图片 / cannot read this image: {e}"))?
        .unchecked_into();
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    if w < 1.0 || h < 1.0 {
        return Err("图片是空的 / the image is empty".into());
    }
    let scale = (PHOTO_LONG_SIDE / w.max(h)).min(1.0);
    let (tw, th) = ((w * scale).round(), (h * scale).round());
    let canvas = web_sys::OffscreenCanvas::new(tw as u32, th as u32).map_err(js_err)?;
    let context: web_sys::OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_err)?
        .ok_or("no 2d context")?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, tw, th)
        .map_err(js_err)?;
    bitmap.close();
    let options = web_sys::ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(JPEG_QUALITY);
    Ok(wait(canvas.convert_to_blob_with_options(&options))
        .await?
        .unchecked_into())
}

/// Where the phone is, when the user allows it and the GPS answers within
/// a few seconds (it needs no network). `None` otherwise: a photo is kept
/// with or without its position.
pub async fn position() -> Option<Position> {
    use wasm_bindgen::closure::Closure;
    let geolocation = window().ok()?.navigator().geolocation().ok()?;
    let promise = Promise::new(&mut |resolve, _reject| {
        let found = resolve.clone();
        let on_position = Closure::once_into_js(move |p: JsValue| {
            let _ = found.call1(&JsValue::NULL, &p);
        });
        let on_error = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        });
        let options = web_sys::PositionOptions::new();
        options.set_timeout(8_000);
        options.set_maximum_age(60_000);
        let _ = geolocation.get_current_position_with_error_callback_and_options(
            on_position.unchecked_ref(),
            Some(on_error.unchecked_ref()),
            &options,
        );
    });
    // a permission prompt left open, or a WebView that never answers, must
    // not hold the photo back: give up after 12 s in all
    let timeout = Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 12_000);
        }
    });
    let first = Promise::race(&js_sys::Array::of2(&promise, &timeout));
    let found = JsFuture::from(first)
        .await
        .ok()
        .filter(|p| !p.is_null() && !p.is_undefined())?;
    let coords = Reflect::get(&found, &"coords".into()).ok()?;
    let number = |key: &str| Reflect::get(&coords, &key.into()).ok()?.as_f64();
    Some(Position {
        lat_e6: (number("latitude")? * 1e6).round() as i32,
        lon_e6: (number("longitude")? * 1e6).round() as i32,
        accuracy_m: number("accuracy").map_or(0, |a| a.round().clamp(0.0, 1e6) as u32),
    })
}

/// A new photo's description: a new id, when the camera took it, its
/// size, JPEG, named by its SHA-256 (no form, no position yet).
async fn described(file: &File, jpeg: &Blob) -> Result<AttachmentRef, String> {
    Ok(AttachmentRef {
        id: uuid::Uuid::now_v7().to_string(),
        form: None,
        taken_at: taken_at(file),
        position: None,
        bytes: jpeg.size() as u64,
        content_type: "image/jpeg".into(),
        sha256: Some(sha256_of(jpeg).await?),
    })
}

/// Compresses a photo and stores it with the case as stored when the photo
/// is ready (a change made meanwhile is kept), in one transaction with the
/// case's new version and its outbox entry. Returns the saved case.
pub async fn add_photo(
    case_id: String,
    file: &File,
    form: Option<FormCode>,
    with_position: bool,
) -> Result<Case, String> {
    let jpeg = compress_photo(file).await?;
    let position = if with_position {
        position().await
    } else {
        None
    };
    let mut photo = described(file, &jpeg).await?;
    photo.form = form.clone();
    photo.position = position;
    let id = photo.id.clone();
    let store = crate::idb::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    let attachment = crate::idb::NewAttachment {
        id,
        owner: crate::idb::PhotoOwner::Case(case_id.clone()),
        blob: jpeg,
        sha256: None,
    };
    let edited = store
        .edit_case(&case_id, Some(&attachment), move |current| {
            let mut next = current.clone();
            next.attachments.push(photo);
            if let Some(form) = form {
                next.forms.insert(form);
            }
            next.updated_at = Some(crate::clock::now());
            Ok(next)
        })
        .await
        .map_err(|e| e.to_string())?;
    edited.map_err(|problems| {
        problems
            .into_iter()
            .map(|p| crate::texts::problem(&p.problem, false))
            .collect::<Vec<_>>()
            .join("；")
    })
}

/// Compresses a photo taken for a form not saved yet (a screening report)
/// and keeps it on the phone at once, so a reload keeps it with the form's
/// draft. Returns its description, named by its SHA-256; saving the form
/// gives it to the records.
pub async fn keep_form_photo(file: &File) -> Result<AttachmentRef, String> {
    let jpeg = compress_photo(file).await?;
    let photo = described(file, &jpeg).await?;
    let store = crate::idb::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    store
        .put_attachment(&crate::idb::NewAttachment {
            id: photo.id.clone(),
            owner: crate::idb::PhotoOwner::Screening(String::new()),
            blob: jpeg,
            sha256: photo.sha256.clone(),
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(photo)
}

/// Forgets a photo taken for a form and removed from it before saving.
pub async fn forget_form_photo(id: &str) -> Result<(), String> {
    let store = crate::idb::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    let kept = store.attachment(id).await.map_err(|e| e.to_string())?;
    // never one a saved record owns
    if kept.is_some_and(|k| k.owner == crate::idb::PhotoOwner::Screening(String::new())) {
        store
            .delete_attachment(id)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A stored photo's name on the server: the SHA-256 of its bytes, lowercase
/// hex (hashed here in Rust: `crypto.subtle` exists only on HTTPS pages).
pub async fn sha256_of(blob: &Blob) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let buffer = wait(Ok(blob.array_buffer())).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Ok(Sha256::digest(&bytes)
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        }))
}

/// When the photo was taken: the camera file's time when it is plausible
/// (within the last 30 days), else now.
fn taken_at(file: &File) -> domain::Timestamp {
    let now = js_sys::Date::now();
    let modified = file.last_modified();
    let plausible =
        modified > 0.0 && modified <= now + 60_000.0 && now - modified < 30.0 * 86_400_000.0;
    let millis = if plausible { modified } else { now };
    jiff::Timestamp::from_millisecond(millis as i64)
        .map_or_else(|_| crate::clock::now(), domain::Timestamp::from)
}
/// An object URL showing a photo the server holds (revoke it when done);
/// none when this phone is not logged in or the server lacks it.
pub async fn server_photo_url(sha256: &str) -> Result<Option<String>, String> {
    let store = crate::idb::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    let Some(session) = store.session().await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    // not through the browser's cache: a copy there would outlive the log-out
    let res = gloo_net::http::Request::get(&format!("/api/v1/attachments/{sha256}"))
        .header("Authorization", &format!("Bearer {}", session.token))
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.ok() {
        return Ok(None);
    }
    let bytes = res.binary().await.map_err(|e| e.to_string())?;
    let array = js_sys::Uint8Array::from(&bytes[..]);
    let blob = Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array)).map_err(js_err)?;
    web_sys::Url::create_object_url_with_blob(&blob)
        .map(Some)
        .map_err(js_err)
}

/// An object URL showing a stored photo (revoke it when done).
pub async fn photo_url(id: &str) -> Result<Option<String>, String> {
    let store = crate::idb::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    let Some(stored) = store.attachment(id).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    web_sys::Url::create_object_url_with_blob(&stored.blob)
        .map(Some)
        .map_err(js_err)
}
