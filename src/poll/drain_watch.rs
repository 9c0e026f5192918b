//! The drain assistant's requests carried out through the editor, the
//! answer in words as every change's: the value before and after, `✓` or
//! `✗` and why.

use crate::app::drain::DrainRequest;
use crate::backend::Backend;
use crate::edit::{words, Applied, Editor};
use crate::journal::DrainEnd;
use crate::output::addr_port;

use super::carry_out::failed;

pub fn carry_out(
    editor: &mut Editor<Box<dyn Backend>>,
    request: &DrainRequest,
) -> Result<String, String> {
    let said = |a: &Applied| words::done(&a.change, &a.before, a.after.as_ref());
    let (service, dest) = request.target();
    let name = format!("{} of {service}", addr_port(&dest.addr, dest.port));
    let result = match request {
        DrainRequest::Start { weight, .. } => editor
            .start_drain(&service, &dest, *weight, Default::default())
            .map(|a| format!("{} ✓ (x again restores)", said(&a))),
        DrainRequest::Options { options, .. } => {
            editor.drain_options(&service, &dest, *options).map(|()| {
                let remove = match (options.remove_when_drained, options.deadline_unix) {
                    (true, None) => "remove when drained",
                    (_, Some(_)) => "remove when drained or at the deadline",
                    (false, None) => "keep when drained",
                };
                format!("drain of {name}: {remove} ✓")
            })
        }
        DrainRequest::Remove { force, .. } => {
            editor
                .remove_drained(&service, &dest, *force)
                .map(|a| match force {
                    true => format!("{} ✓ (at the operator's word)", said(&a)),
                    false => format!("{} ✓: nothing pointed to it", said(&a)),
                })
        }
        DrainRequest::Restore { weight, .. } => editor
            .restore_drained(&service, &dest, *weight)
            .map(|a| format!("{} ✓, drain ended", said(&a))),
        DrainRequest::Resume(open) => editor
            .resume_drain(open)
            .map(|()| format!("watching the drain of {name} again ✓")),
        DrainRequest::End { end, .. } => editor.end_drain(&service, &dest, end.clone()).map(|()| {
            let how = match end {
                DrainEnd::Removed => "removed",
                DrainEnd::Restored { .. } => "weight back",
                DrainEnd::Abandoned { .. } => "watch stopped",
            };
            format!("drain of {name}: {how}")
        }),
    };
    result.map_err(failed)
}
