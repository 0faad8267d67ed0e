//! One photo's thumbnail with when and where it was taken: from this
//! phone's store, else (an office reviewing a mediator's record) from the
//! server by its SHA-256.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use leptos::task::spawn_local;

#[component]
pub fn PhotoThumb(
    id: String,
    /// The server's name for it: a photo not on this phone (an office
    /// reviewing a mediator's case) is fetched from the server.
    sha256: Option<String>,
    /// When it was taken, as people read it (`2026-11-25 10:00`).
    taken_at: String,
    position: Option<domain::attachment::Position>,
) -> impl IntoView {
    let alt = format!("照片 {taken_at}");
    let url = RwSignal::new(None::<String>);
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, sha256);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let (id, sha256) = (id.clone(), sha256.clone());
            spawn_local(async move {
                let found = match crate::device::photo_url(&id).await {
                    Ok(Some(u)) => Some(u),
                    _ => match sha256 {
                        Some(sha256) => crate::device::server_photo_url(&sha256)
                            .await
                            .ok()
                            .flatten(),
                        None => None,
                    },
                };
                if let Some(u) = found {
                    url.try_set(Some(u));
                }
            });
        }
    });
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        if let Some(u) = url.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    view! {
        <li class="photo">
            {move || url.get().map(|u| view! { <img src=u alt=alt.clone() width="96" height="96" loading="lazy" /> })}
            <span class="muted">{taken_at.clone()}</span>
            {position.map(|p| view! {
                <span class="muted" data-testid="photo-position">
                    {format!("{:.5}, {:.5} ±{} m", f64::from(p.lat_e6) / 1e6, f64::from(p.lon_e6) / 1e6, p.accuracy_m)}
                </span>
            })}
        </li>
    }
}
