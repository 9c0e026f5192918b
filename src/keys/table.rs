//! The key table: every key the monitor answers to, once. Dispatch, the
//! `?` overlay and the footer all read it; the overlay lists the lines in
//! this order.

use crossterm::event::KeyCode::{self, Backspace, Char, Down, End, Enter, Esc, Home, Left, F};
use crossterm::event::KeyCode::{BackTab, PageDown, PageUp, Right, Tab, Up};

use crate::app::editing::EditCommand as E;
use crate::app::replay::CursorKey as T;
use crate::app::Action as A;

use super::binding::Command::{
    Dialog, Edit, Fleet as FleetKey, SelectClicked, TypeFilter, TypeTime, View,
};
use super::binding::Context::{
    AnyRow, Anywhere, Browsing, Connections as InConnections, Dialog as InDialog, Drain as InDrain,
    Filtering, Fleet, GoTo as InGoTo, Help as InHelp, NoDialog, Panel as InPanel, PanelForms,
    RealServerRow, Replay as InReplay, Tuning,
};
use super::binding::Help::{After, Beside, Line, Or};
use super::binding::Press::{
    AnyChar, AnyKey, Click, Ctrl, DialogKey, Key, Shift, WheelDown, WheelUp,
};
use super::binding::{bind, Binding, Footer};

const fn ch(c: char) -> super::binding::Press {
    Key(Char(c))
}

const fn key(code: KeyCode) -> super::binding::Press {
    Key(code)
}

pub const DEFAULT: &[Binding] = &[
    bind(key(Up), Anywhere, View(A::Up)).help(Line("move the selection")),
    bind(key(Down), Anywhere, View(A::Down)).help(Beside),
    bind(ch('j'), Browsing, View(A::Down)).help(After),
    bind(ch('k'), Browsing, View(A::Up)).help(Beside),
    bind(key(PageUp), Anywhere, View(A::PageUp)).help(Line("a page / first / last row")),
    bind(key(PageDown), Anywhere, View(A::PageDown)).help(Beside),
    bind(key(Home), Anywhere, View(A::Home)).help(Beside),
    bind(key(End), Anywhere, View(A::End)).help(Beside),
    bind(ch('g'), Browsing, View(A::Home)),
    bind(ch('G'), Browsing, View(A::End)),
    bind(key(Enter), Browsing, View(A::Toggle))
        .help(Line("expand / collapse, ← up to the service")),
    bind(key(Right), Anywhere, View(A::Right)).help(After),
    bind(key(Left), Anywhere, View(A::Left)).help(Beside),
    bind(ch('l'), Browsing, View(A::Right)).help(After),
    bind(ch('h'), Browsing, View(A::Left)).help(Beside),
    bind(key(Enter), RealServerRow, Edit(E::Tune))
        .help(Line("tuning mode on a real server's weight")),
    bind(ch('w'), AnyRow, Edit(E::Tune)).action("tune").help(Or),
    bind(key(Left), Tuning, Edit(E::Nudge(-1)))
        .help(Line("in it: ±1 ±10, 0 drains, Esc done"))
        .footer(Footer::Tuning(0, "±1")),
    bind(key(Right), Tuning, Edit(E::Nudge(1)))
        .help(Beside)
        .footer(Footer::Tuning(0, "±1")),
    bind(Shift(Left), Tuning, Edit(E::Nudge(-10)))
        .help(Beside)
        .footer(Footer::Tuning(1, "±10")),
    bind(Shift(Right), Tuning, Edit(E::Nudge(10)))
        .help(Beside)
        .footer(Footer::Tuning(1, "±10")),
    bind(ch('0'), Tuning, Edit(E::TuneDrain))
        .help(After)
        .footer(Footer::Tuning(2, "drain")),
    bind(key(Esc), Tuning, Edit(E::TuneDone))
        .help(After)
        .footer(Footer::Tuning(3, "done")),
    bind(key(Enter), Tuning, Edit(E::TuneDone)),
    bind(ch('+'), AnyRow, Edit(E::Nudge(1)))
        .action("weight-up")
        .help(Line("weight ±1 / exact / drain, X drain view")),
    bind(ch('-'), AnyRow, Edit(E::Nudge(-1)))
        .action("weight-down")
        .help(Beside),
    bind(ch('W'), AnyRow, Edit(E::ExactWeight))
        .action("exact-weight")
        .help(After),
    bind(ch('x'), AnyRow, Edit(E::Drain)).help(After),
    bind(ch('X'), AnyRow, View(A::DrainView))
        .action("drain-view")
        .help(After),
    bind(ch('X'), InDrain, View(A::DrainView)),
    bind(ch('x'), InDrain, Edit(E::DrainRestore))
        .action("drain-restore")
        .footer(Footer::Drain(0, "restore")),
    bind(ch('R'), InDrain, Edit(E::DrainRemoveWhenDrained))
        .action("remove-when-drained")
        .footer(Footer::Drain(1, "remove when drained")),
    bind(ch('t'), InDrain, Edit(E::DrainDeadline))
        .action("drain-deadline")
        .footer(Footer::Drain(2, "deadline")),
    bind(ch('S'), InDrain, Edit(E::DrainStop))
        .action("drain-stop")
        .footer(Footer::Drain(3, "stop")),
    bind(ch('u'), InDrain, Edit(E::Undo)),
    bind(key(Esc), InDrain, View(A::Escape)).footer(Footer::Drain(4, "back")),
    bind(ch('A'), AnyRow, Edit(E::AddService))
        .action("add-service")
        .help(Line("add service / real server")),
    bind(ch('a'), AnyRow, Edit(E::AddDest))
        .action("add-server")
        .help(After),
    bind(ch('E'), AnyRow, Edit(E::EditService))
        .action("edit-service")
        .help(Line("edit service / real server")),
    bind(ch('e'), AnyRow, Edit(E::EditDest))
        .action("edit-server")
        .help(After),
    bind(ch('D'), AnyRow, Edit(E::DeleteService))
        .action("delete-service")
        .help(Line("delete service / real server")),
    bind(ch('d'), AnyRow, Edit(E::DeleteDest))
        .action("delete-server")
        .help(After),
    bind(ch('s'), AnyRow, Edit(E::Scheduler))
        .action("scheduler")
        .help(Line("scheduler / zero counters / undo")),
    bind(ch('Z'), AnyRow, Edit(E::Zero))
        .action("zero")
        .help(After),
    bind(ch('u'), AnyRow, Edit(E::Undo))
        .action("undo")
        .help(After),
    bind(ch('J'), AnyRow, Edit(E::Journal))
        .action("journal")
        .help(Line("journal / kernel settings (net.ipv4.vs)"))
        .footer(Footer::Browsing(5, "journal")),
    bind(ch('K'), Browsing, View(A::Settings))
        .action("settings")
        .help(After),
    bind(ch('c'), Browsing, View(A::Connections))
        .action("connections")
        .help(Line("connections; in it: entries, exact, back"))
        .footer(Footer::Connections(5, "close")),
    bind(key(Enter), InConnections, View(A::ConnEntries))
        .help(After)
        .footer(Footer::Connections(0, "entries")),
    bind(ch('E'), InConnections, View(A::ConnExact))
        .action("exact-read")
        .help(After)
        .footer(Footer::Connections(3, "exact read")),
    bind(key(Esc), InConnections, View(A::Escape))
        .help(After)
        .footer(Footer::Connections(4, "back")),
    bind(ch('T'), AnyRow, View(A::DirectorPanel))
        .action("director")
        .help(Line("director panel: timeouts, sync daemons")),
    bind(ch('T'), InConnections, View(A::DirectorPanel)),
    bind(ch('T'), InPanel, View(A::DirectorPanel)),
    bind(key(Esc), InPanel, View(A::Escape)),
    bind(ch('t'), PanelForms, Edit(E::SetTimeouts))
        .action("set-timeouts")
        .help(After),
    bind(ch('s'), PanelForms, Edit(E::StartDaemon))
        .action("start-daemon")
        .help(After),
    bind(ch('S'), PanelForms, Edit(E::StopDaemon))
        .action("stop-daemon")
        .help(Beside),
    bind(ch('u'), PanelForms, Edit(E::Undo)).help(After),
    // Several directors: the fleet monitor's own keys.
    bind(key(Tab), Fleet, FleetKey).help(Line("next/prev director, diffs, by VS, to all")),
    bind(key(BackTab), Fleet, FleetKey).help(Beside),
    bind(ch('F'), Fleet, FleetKey).help(After),
    bind(ch('V'), Fleet, FleetKey).help(After),
    bind(ch('='), Fleet, FleetKey).help(After),
    // A replay's time cursor: keys that do nothing live.
    bind(ch(' '), InReplay, View(A::Cursor(T::PlayPause)))
        .help(Line("replay: play/pause, a poll on / back")),
    bind(ch('.'), InReplay, View(A::Cursor(T::Step(true)))).help(After),
    bind(ch(','), InReplay, View(A::Cursor(T::Step(false)))).help(Beside),
    bind(ch(']'), InReplay, View(A::Cursor(T::Jump(60))))
        .help(Line("replay: ±1 minute, ±10 minutes")),
    bind(ch('['), InReplay, View(A::Cursor(T::Jump(-60)))).help(Beside),
    bind(ch('}'), InReplay, View(A::Cursor(T::Jump(600)))).help(After),
    bind(ch('{'), InReplay, View(A::Cursor(T::Jump(-600)))).help(Beside),
    bind(ch(':'), InReplay, View(A::Cursor(T::GoTo)))
        .help(Line("replay: go to a time, speed ×1 ×10 ×60")),
    bind(ch('>'), InReplay, View(A::Cursor(T::Faster))).help(After),
    bind(ch('<'), InReplay, View(A::Cursor(T::Slower))).help(Beside),
    bind(AnyChar, InGoTo, TypeTime),
    bind(key(Backspace), InGoTo, View(A::GoToBackspace)),
    bind(key(Enter), InGoTo, View(A::GoToDone(true))),
    bind(key(Esc), InGoTo, View(A::GoToDone(false))),
    bind(ch('/'), Browsing, View(A::FilterStart))
        .action("filter")
        .help(Line("filter (Esc clears) / sort next, reverse"))
        .footer(Footer::Browsing(1, "filter")),
    bind(AnyChar, Filtering, TypeFilter),
    bind(key(Backspace), Filtering, View(A::FilterBackspace)),
    bind(key(Enter), Filtering, View(A::FilterAccept)).footer(Footer::Filtering(0, "keeps")),
    bind(key(Esc), Anywhere, View(A::Escape))
        .help(After)
        .footer(Footer::Filtering(1, "clears")),
    bind(ch('o'), Browsing, View(A::SortNext))
        .action("sort-next")
        .help(After)
        .footer(Footer::Browsing(2, "sort")),
    bind(ch('O'), Browsing, View(A::SortReverse))
        .action("sort-reverse")
        .help(After),
    bind(ch('f'), Browsing, View(A::Freeze))
        .action("freeze")
        .help(Line("freeze (polling goes on) / next alert"))
        .footer(Footer::Browsing(3, "freeze")),
    bind(ch('n'), Browsing, View(A::NextAlert))
        .action("next-alert")
        .help(After),
    bind(ch('m'), Browsing, View(A::NextMetric))
        .action("metric")
        .help(Line("sparkline metric / exact numbers, K M G"))
        .footer(Footer::Browsing(4, "metric")),
    bind(ch('#'), Browsing, View(A::ToggleExact))
        .action("exact")
        .help(After),
    bind(ch('?'), Browsing, View(A::Help))
        .action("help")
        .help(Line("this help / quit (Ctrl-C too)"))
        .footer(Footer::Browsing(0, "help")),
    // F1 and F10 as in htop.
    bind(key(F(1)), Browsing, View(A::Help))
        .help(Or)
        .footer(Footer::Browsing(0, "help")),
    bind(AnyKey, InHelp, View(A::CloseHelp)),
    bind(ch('q'), Browsing, View(A::Quit))
        .action("quit")
        .help(After)
        .footer(Footer::Browsing(6, "quit")),
    bind(key(F(10)), NoDialog, View(A::Quit))
        .help(Or)
        .footer(Footer::Browsing(6, "quit")),
    bind(Ctrl('c'), Anywhere, View(A::Quit)),
    // Under help too: the one key that never just closes it.
    bind(Ctrl('c'), InHelp, View(A::Quit)),
    bind(WheelUp, NoDialog, View(A::ScrollUp)).help(Line("scroll, select")),
    bind(WheelDown, NoDialog, View(A::ScrollDown)),
    bind(Click, NoDialog, SelectClicked).help(Or),
    bind(DialogKey, InDialog, Dialog),
];
