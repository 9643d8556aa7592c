"""The main window: it arranges the panels, the toolbar and the shortcuts, and nothing else.

Closing the window does not tear anything down itself: it asks (``close_requested``), the app
stops streams, then the session, then the tasks, and then calls ``finish_close``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant import APP_NAME
from desktop_assistant.core.events import ConnectionState
from desktop_assistant.ui.about import AboutDialog
from desktop_assistant.ui.controllers import VideoSourceKind
from desktop_assistant.ui.languages import language_name
from desktop_assistant.ui.panels.conversation_panel import ConversationPanel
from desktop_assistant.ui.panels.media_panel import MediaPanel
from desktop_assistant.ui.panels.settings_panel import SettingsPanel
from desktop_assistant.ui.panels.status_bar import StatusBar
from desktop_assistant.ui.panels.tools_panel import ToolsPanel
from desktop_assistant.ui.panels.turns_panel import TurnsPanel
from desktop_assistant.ui.resources import icon
from desktop_assistant.ui.viewmodels.banner_vm import BannerAction, BannerLevel, BannerMessage
from desktop_assistant.ui.viewmodels.window_model import WindowModel
from desktop_assistant.ui.widgets.banner import Banner

PUSH_TO_TALK_KEY = Qt.Key.Key_F9


class MainWindow(QMainWindow):
    close_requested = Signal()
    backend_setup_requested = Signal()  # the key was refused, or the user asked for the setup

    def __init__(self, model: WindowModel) -> None:
        super().__init__()
        self.model = model
        self._may_close = False
        self.ptt_key = PUSH_TO_TALK_KEY
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.setObjectName("mainWindow")
        self.resize(1180, 760)

        self.about: AboutDialog | None = None
        self._build_toolbar()
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(10, 6, 10, 4)
        outer.setSpacing(6)
        self.banner = Banner(model.banner)
        outer.addWidget(self.banner)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        self.conversation = ConversationPanel(model.transcript, model.session)
        self.turns = TurnsPanel(model.turns)
        left_layout.addWidget(self.conversation, 1)
        left_layout.addWidget(self.turns)
        splitter.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Side panels"))
        self.media = MediaPanel(model.media)
        self.tabs.addTab(self.media, self.tr("See && hear"))
        self.settings_panel: SettingsPanel | None = None
        if model.settings is not None:
            self.settings_panel = SettingsPanel(
                model.settings, self.ptt_key_text(), backend=model.backend
            )
            self.tabs.addTab(self.settings_panel, self.tr("Settings"))
            model.settings.applied.connect(self._on_settings_applied)
            self.settings_panel.backend_setup_requested.connect(self.backend_setup_requested)
        self.tools = ToolsPanel(model.tools)
        self._tools_index = self.tabs.addTab(self.tools, self.tr("Tools"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 460])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(model.status, model.session, model.backend)
        self.setStatusBar(self.status)

        self._build_actions()
        session = model.session
        session.running_changed.connect(self._sync_toolbar)
        session.busy_changed.connect(self._sync_toolbar)
        session.muted_changed.connect(self._sync_toolbar)
        session.talking_changed.connect(self._sync_toolbar)
        session.connection_changed.connect(self._sync_toolbar)
        session.model_changed.connect(self._sync_toolbar)
        model.backend.label_changed.connect(self._sync_toolbar)
        model.tools.pending_approvals_changed.connect(self._on_pending_approvals)
        model.banner.action_triggered.connect(self._on_banner_action)
        self.conversation.export_failed.connect(
            lambda text: model.banner.show(BannerMessage(text, BannerLevel.ERROR, source="ui"))
        )
        self.conversation.exported.connect(
            lambda path: self.status.showMessage(self.tr("Saved {0}").format(path), 5000)
        )
        self._app = QApplication.instance()
        if self._app is not None:
            self._app.installEventFilter(self)
        self._on_settings_applied(False)

    # -------------------------------------------------------------------------- settings

    def ptt_key_text(self) -> str:
        return QKeySequence(self.ptt_key).toString(QKeySequence.SequenceFormat.NativeText)

    @property
    def push_to_talk_mode(self) -> bool:
        """Manual turns (activity start/end) are what push-to-talk sends; automatic has none."""
        vm = self.model.settings
        return vm is not None and not vm.current.activity_detection.automatic

    def _on_settings_applied(self, reconnected: bool) -> None:
        vm = self.model.settings
        if vm is not None:
            current = vm.current
            parts = [current.model, self.tr("voice {0}").format(current.voice.name)]
            if current.voice.language_code:
                parts.append(current.voice.language_code)
            translation = current.translation
            self.summary_mode = ""
            if translation.enabled:
                source = translation.source_language or self.tr("auto")
                self.summary_mode = f"{source} → {translation.target_language}"
                parts.append(self.summary_mode)
            self.conversation.set_translation_mode(
                translation.enabled,
                language_name(translation.source_language)
                if translation.source_language
                else self.tr("Original"),
                language_name(translation.target_language)
                if translation.target_language
                else self.tr("Translation"),
            )
            self.summary_details = " · ".join(parts)
            if reconnected:
                self.status.showMessage(self.tr("Settings applied on a new connection"), 5000)
        self._sync_toolbar()

    # --------------------------------------------------------------------------- toolbar

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Conversation"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        self.state_dot = QLabel("●")
        self.state_dot.setObjectName("stateDot")
        self.state_dot.setAccessibleName(self.tr("Connection state"))
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setAccessibleName(self.tr("Conversation summary"))
        bar.addWidget(self.state_dot)
        bar.addWidget(self.summary)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.start_button = QToolButton()
        self.start_button.setObjectName("startButton")
        self.mute_button = QToolButton()
        self.mute_button.setObjectName("muteButton")
        self.mute_button.setCheckable(True)
        self.ptt_button = QToolButton()
        self.ptt_button.setObjectName("pttButton")
        for button in (self.start_button, self.mute_button, self.ptt_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.addWidget(button)
        self.about_button = QToolButton()
        self.about_button.setObjectName("aboutButton")
        self.about_button.setText("?")
        self.about_button.setToolTip(self.tr("About Desktop Assistant"))
        self.about_button.setAccessibleName(self.tr("About Desktop Assistant"))
        self.about_button.clicked.connect(self.show_about)
        bar.addWidget(self.about_button)
        session = self.model.session
        self.start_button.clicked.connect(session.toggle_running)
        self.mute_button.clicked.connect(lambda checked: session.set_muted(checked))
        self.ptt_button.pressed.connect(lambda: session.push_to_talk(True))
        self.ptt_button.released.connect(lambda: session.push_to_talk(False))

    def _build_actions(self) -> None:
        session, media = self.model.session, self.model.media

        def add(
            text: str, keys: str | QKeySequence | QKeySequence.StandardKey, slot: object
        ) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.start_action = add(self.tr("Start or stop"), "F5", session.toggle_running)
        self.mute_action = add(self.tr("Mute"), "Ctrl+M", session.toggle_muted)
        add(self.tr("Type a message"), "Ctrl+L", self.focus_input)
        add(self.tr("Video off"), "Ctrl+1", lambda: media.set_video_source(VideoSourceKind.OFF))
        add(self.tr("Camera"), "Ctrl+2", lambda: media.set_video_source(VideoSourceKind.CAMERA))
        add(self.tr("Screen"), "Ctrl+3", lambda: media.set_video_source(VideoSourceKind.SCREEN))
        add(self.tr("Pause video"), "Ctrl+P", media.toggle_paused)
        add(self.tr("Export"), QKeySequence.StandardKey.Save, self.conversation.export_dialog)
        add(self.tr("Copy transcript"), "Ctrl+Shift+C", self.conversation.copy)
        self.about_action = add(
            self.tr("About Desktop Assistant"),
            QKeySequence.StandardKey.HelpContents,
            self.show_about,
        )

    def show_about(self) -> None:
        if self.about is None:
            self.about = AboutDialog(self)
        self.about.show()
        self.about.raise_()

    def focus_input(self) -> None:
        self.conversation.input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.conversation.input.selectAll()

    def _sync_toolbar(self, *_: object) -> None:
        session = self.model.session
        running = session.running
        if session.busy:
            text = self.tr("Stopping…") if running else self.tr("Starting…")
        else:
            text = self.tr("Stop") if running else self.tr("Start")
        self.start_button.setText(text)
        self.start_button.setIcon(icon("stop" if running else "start"))
        self.start_button.setEnabled(not session.busy)
        self.start_button.setAccessibleName(
            self.tr("Stop the conversation") if running else self.tr("Start the conversation")
        )
        self.start_button.setToolTip(self.start_button.accessibleName() + " (F5)")
        self.mute_button.setChecked(session.muted)
        self.mute_button.setText(self.tr("Unmute") if session.muted else self.tr("Mute"))
        self.mute_button.setIcon(icon("mic-off" if session.muted else "mic"))
        self.mute_button.setAccessibleName(
            self.tr("Unmute the microphone") if session.muted else self.tr("Mute the microphone")
        )
        self.mute_button.setToolTip(self.mute_button.accessibleName() + " (Ctrl+M)")
        self.ptt_button.setText(self.tr("Talking…") if session.talking else self.tr("Hold to talk"))
        self.ptt_button.setIcon(icon("ptt"))
        self.ptt_button.setEnabled(running and self.push_to_talk_mode)
        self.ptt_button.setAccessibleName(self.tr("Push to talk"))
        if self.push_to_talk_mode:
            self.ptt_button.setToolTip(
                self.tr("Hold to talk (hold {0})").format(self.ptt_key_text())
            )
        else:
            self.ptt_button.setToolTip(
                self.tr("Turns are detected automatically; choose push to talk in Settings")
            )
        self.ptt_button.setProperty("talking", session.talking)
        self.ptt_button.style().unpolish(self.ptt_button)
        self.ptt_button.style().polish(self.ptt_button)
        state = session.connection
        self.state_dot.setProperty("state", state.value)
        self.state_dot.style().unpolish(self.state_dot)
        self.state_dot.style().polish(self.state_dot)
        self.state_dot.setAccessibleDescription(self.model.status.connection_text)
        self.summary.setText(self._summary(state))
        backend = self.model.backend.label
        description = backend.description if backend is not None else ""
        self.summary.setToolTip(description)
        self.summary.setAccessibleDescription(description)

    def _summary(self, state: ConnectionState) -> str:
        words = {
            ConnectionState.DISCONNECTED: self.tr("Not connected"),
            ConnectionState.CONNECTING: self.tr("Connecting"),
            ConnectionState.LIVE: self.tr("Live"),
            ConnectionState.RECONNECTING: self.tr("Reconnecting"),
            ConnectionState.FAILED: self.tr("Failed"),
        }
        parts = [words[state]]
        backend = self.model.backend.label
        if backend is not None and backend.local:
            # The local engine answers and speaks, whatever model and voice the settings name.
            parts.append(backend.name)
            if self.summary_mode:
                parts.append(self.summary_mode)
        elif self.summary_details:
            parts.append(self.summary_details)
        elif self.model.session.model:
            parts.append(self.model.session.model)
        return " · ".join(parts)

    summary_details = ""
    summary_mode = ""  # translation: "auto → de"

    def _on_banner_action(self, action: BannerAction) -> None:
        if action in (BannerAction.START, BannerAction.RECONNECT):
            self.model.session.start()
        elif action is BannerAction.ENTER_KEY:
            self.backend_setup_requested.emit()
        elif action is BannerAction.CHOOSE_DEVICE:
            self.tabs.setCurrentWidget(self.media)
        elif action is BannerAction.OPEN_SETTINGS and self.settings_panel is not None:
            self.tabs.setCurrentWidget(self.settings_panel)

    def _on_pending_approvals(self, count: int) -> None:
        title = self.tr("Tools") if not count else self.tr("Tools ({0})").format(count)
        self.tabs.setTabText(self._tools_index, title)
        if count:
            # A tool waiting for approval holds up the model: bring the console into view.
            self.tabs.setCurrentIndex(self._tools_index)

    # --------------------------------------------------------------------------- theme

    def changeEvent(self, event: QEvent) -> None:
        # The theme set a new application palette: redraw what carries colours in rich text.
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh_theme()
        super().changeEvent(event)

    def refresh_theme(self) -> None:
        if not hasattr(self, "conversation"):
            return  # still being built
        self.conversation.view.refresh_all()
        self.conversation.captions.refresh()
        for card in self.tools.console.cards.values():
            card.refresh()
        self._sync_toolbar()

    # ---------------------------------------------------------------------- push-to-talk

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (
            kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
            and isinstance(watched, QWidget)
            and watched.window() is self
            and isinstance(event, QKeyEvent)
        ):
            if event.key() == self.ptt_key:
                if not event.isAutoRepeat() and self.push_to_talk_mode:
                    self.model.session.push_to_talk(kind == QEvent.Type.KeyPress)
                return True
        return super().eventFilter(watched, event)

    # --------------------------------------------------------------------------- closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            if self._app is not None:
                self._app.removeEventFilter(self)
            event.accept()
            return
        event.ignore()
        self.close_requested.emit()

    def finish_close(self) -> None:
        """The app has shut the conversation down: the window may go now."""
        self._may_close = True
        self.close()
