//! What the consoles show: the console panel's transcript, the script
//! running now (its newest lines and progress), and the presenter's last
//! step. Nothing here runs a script (that is `services/script.rs`).

use std::rc::Rc;

use snaplab_console::Line;

use super::work::Origin;

/// What the console shows of a script while it runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunView {
    /// The newest lines, at most [`RUN_VIEW_LINES`] (all of them come at the end).
    pub tail: Vec<Line>,
    pub lines: usize,
    pub steps: usize,
    pub commands: usize,
    /// Stop was pressed; the script ends at its next command.
    pub stopping: bool,
    /// It ended; what it did is being stored (its transcript shows then).
    pub saving: bool,
}

/// Lines of a running script the console keeps on screen.
pub const RUN_VIEW_LINES: usize = 400;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transcript {
    /// The console's transcript (shared: it can be long, and states are
    /// copied on every action).
    pub lines: Rc<Vec<Line>>,
    /// The script running now, as the console shows it.
    pub running: Option<RunView>,
    /// The presenter's last step.
    pub presenter: Vec<Line>,
}

impl Transcript {
    /// A script's output goes back where it was typed.
    pub fn reply(&mut self, origin: Origin, lines: Vec<Line>) {
        match origin {
            Origin::Console => Rc::make_mut(&mut self.lines).extend(lines),
            Origin::Presenter => self.presenter = lines,
            Origin::Wizard => {}
        }
    }

    /// The running script paused: the lines it printed since, and how far it got.
    pub fn progress(&mut self, new_lines: Vec<Line>, steps: usize, commands: usize) {
        if let Some(view) = &mut self.running {
            view.lines += new_lines.len();
            view.tail.extend(new_lines);
            let excess = view.tail.len().saturating_sub(RUN_VIEW_LINES);
            view.tail.drain(..excess);
            view.steps = steps;
            view.commands = commands;
        }
    }

    pub fn set_stopping(&mut self) {
        if let Some(view) = &mut self.running {
            view.stopping = true;
        }
    }

    pub fn set_saving(&mut self) {
        if let Some(view) = &mut self.running {
            view.saving = true;
        }
    }

    pub fn clear(&mut self) {
        self.lines = Rc::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_script_keeps_only_its_newest_lines_on_screen() {
        let mut transcript = Transcript {
            running: Some(RunView::default()),
            ..Transcript::default()
        };
        let lines: Vec<Line> = (1..=450).map(|i| Line::Out(format!("wrote {i}"))).collect();
        transcript.progress(lines, 900, 450);
        let view = transcript.running.clone().unwrap();
        assert_eq!((view.lines, view.commands, view.steps), (450, 450, 900));
        assert_eq!(view.tail.len(), RUN_VIEW_LINES);
        assert_eq!(view.tail[0], Line::Out("wrote 51".into()));
        transcript.progress(vec![Line::Out("one more".into())], 901, 451);
        assert_eq!(transcript.running.as_ref().unwrap().lines, 451);
    }

    #[test]
    fn output_goes_back_to_the_console_it_came_from() {
        let mut transcript = Transcript::default();
        transcript.reply(Origin::Console, vec![Line::Out("a".into())]);
        transcript.reply(Origin::Presenter, vec![Line::Out("p".into())]);
        transcript.reply(Origin::Console, vec![Line::Out("b".into())]);
        assert_eq!(
            *transcript.lines,
            vec![Line::Out("a".into()), Line::Out("b".into())]
        );
        assert_eq!(transcript.presenter, vec![Line::Out("p".into())]);
        transcript.clear();
        assert!(transcript.lines.is_empty());
    }
}
