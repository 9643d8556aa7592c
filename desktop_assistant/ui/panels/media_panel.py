"""See, hear and speak: the video source and a preview of exactly what is sent, and the devices.

Microphone and speaker pickers with their meters, echo cancellation and the headphones switch.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.ui.controllers import DeviceChoice, VideoSourceKind
from desktop_assistant.ui.resources import icon
from desktop_assistant.ui.viewmodels.media_vm import MediaViewModel
from desktop_assistant.ui.widgets.level_meter import LevelMeter
from desktop_assistant.ui.widgets.video_preview import VideoPreview


def _fill(combo: QComboBox, devices: tuple[DeviceChoice, ...], empty: str) -> None:
    combo.blockSignals(True)
    current = combo.currentData()
    combo.clear()
    if not devices:
        combo.addItem(empty, None)
        combo.setEnabled(False)
    else:
        combo.setEnabled(True)
        for device in devices:
            combo.addItem(device.name, device.device_id)
        index = combo.findData(current) if current is not None else -1
        if index < 0:
            index = next((i for i, d in enumerate(devices) if d.is_default), 0)
        combo.setCurrentIndex(index)
    combo.blockSignals(False)


class MediaPanel(QWidget):
    def __init__(self, vm: MediaViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        see = QLabel(self.tr("See"))
        see.setObjectName("panelTitle")
        layout.addWidget(see)
        sources = QHBoxLayout()
        sources.setSpacing(0)
        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[VideoSourceKind, QToolButton] = {}
        for kind, text, shortcut in (
            (VideoSourceKind.OFF, self.tr("Off"), "Ctrl+1"),
            (VideoSourceKind.CAMERA, self.tr("Camera"), "Ctrl+2"),
            (VideoSourceKind.SCREEN, self.tr("Screen"), "Ctrl+3"),
        ):
            button = QToolButton()
            button.setObjectName("segment")
            button.setText(text)
            button.setIcon(icon(f"video-{kind.value}"))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setAccessibleName(self.tr("Video source: {0}").format(text))
            button.setToolTip(self.tr("{0} ({1})").format(text, shortcut))
            self.source_group.addButton(button)
            self.source_buttons[kind] = button
            sources.addWidget(button)
            button.clicked.connect(lambda _=False, k=kind: vm.set_video_source(k))
        sources.addStretch(1)
        self.camera = QComboBox()
        self.camera.setAccessibleName(self.tr("Camera"))
        self.camera.setMinimumContentsLength(12)
        sources.addWidget(self.camera)
        layout.addLayout(sources)

        self.preview = VideoPreview()
        self.preview.setAccessibleName(self.tr("Preview of the frame sent"))
        layout.addWidget(self.preview)
        sending_row = QHBoxLayout()
        self.sending = QLabel()
        self.sending.setObjectName("sendingLabel")
        self.sending.setAccessibleName(self.tr("Video sending state"))
        self.pause = QPushButton(self.tr("Pause video"))
        self.pause.setCheckable(True)
        self.pause.setAccessibleName(self.tr("Pause video"))
        self.pause.setToolTip(self.tr("Stop sending frames, keep the source open (Ctrl+P)"))
        sending_row.addWidget(self.sending, 1)
        sending_row.addWidget(self.pause)
        layout.addLayout(sending_row)

        hear = QLabel(self.tr("Hear and speak"))
        hear.setObjectName("panelTitle")
        layout.addWidget(hear)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.mic = QComboBox()
        self.mic.setAccessibleName(self.tr("Microphone"))
        self.mic_meter = LevelMeter()
        self.mic_meter.setAccessibleName(self.tr("Microphone level"))
        self.speaker = QComboBox()
        self.speaker.setAccessibleName(self.tr("Speaker"))
        self.speaker_meter = LevelMeter()
        self.speaker_meter.setAccessibleName(self.tr("Speaker level"))
        for combo in (self.mic, self.speaker):
            combo.setMinimumContentsLength(14)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        grid.addWidget(QLabel(self.tr("Mic")), 0, 0)
        grid.addWidget(self.mic, 0, 1)
        grid.addWidget(self.mic_meter, 0, 2)
        grid.addWidget(QLabel(self.tr("Out")), 1, 0)
        grid.addWidget(self.speaker, 1, 1)
        grid.addWidget(self.speaker_meter, 1, 2)
        self.no_mic = QLabel(self.tr("No microphone — you can still type."))
        self.no_mic.setObjectName("noMic")
        self.no_mic.setAccessibleName(self.tr("No microphone"))
        grid.addWidget(self.no_mic, 2, 1, 1, 2)
        layout.addLayout(grid)
        switches = QHBoxLayout()
        self.echo = QCheckBox(self.tr("Echo cancellation"))
        self.echo.setAccessibleName(self.tr("Echo cancellation"))
        self.echo.setToolTip(
            self.tr("Keeps the assistant from hearing itself through your speakers")
        )
        self.headphones = QCheckBox(self.tr("Headphones"))
        self.headphones.setAccessibleName(self.tr("I use headphones"))
        self.headphones.setToolTip(self.tr("With headphones there is no echo to cancel"))
        switches.addWidget(self.echo)
        switches.addWidget(self.headphones)
        switches.addStretch(1)
        layout.addLayout(switches)
        layout.addStretch(1)

        self.mic.activated.connect(lambda _: vm.select_microphone(self.mic.currentData()))
        self.speaker.activated.connect(lambda _: vm.select_speaker(self.speaker.currentData()))
        self.camera.activated.connect(lambda _: vm.select_camera(self.camera.currentData()))
        self.pause.toggled.connect(vm.set_paused)
        self.echo.toggled.connect(vm.set_echo_cancellation)
        self.headphones.toggled.connect(vm.set_headphones)
        vm.devices_changed.connect(self._on_devices)
        vm.levels_updated.connect(self._on_levels)
        vm.mic_available_changed.connect(self._on_mic_available)
        vm.video_source_changed.connect(self._on_source)
        vm.paused_changed.connect(self._on_paused)
        vm.preview_changed.connect(self._on_preview)
        vm.sending_changed.connect(self._on_sending)
        vm.echo_cancellation_changed.connect(self.echo.setChecked)
        vm.headphones_changed.connect(self._on_headphones)
        self._on_devices()
        self._on_source(vm.video_source)
        self._on_paused(vm.paused)
        self._on_mic_available(vm.mic_available)
        self.echo.setChecked(vm.echo_cancellation)
        self._on_headphones(vm.headphones)

    def _on_devices(self) -> None:
        vm = self._vm
        _fill(self.mic, tuple(vm.microphones), self.tr("No microphone found"))
        _fill(self.speaker, tuple(vm.speakers), self.tr("No speaker found"))
        _fill(self.camera, tuple(vm.cameras), self.tr("No camera found"))

    def _on_levels(self, mic: float, speaker: float) -> None:
        self.mic_meter.set_fraction(mic)
        self.speaker_meter.set_fraction(speaker)

    def _on_mic_available(self, available: bool) -> None:
        self.mic_meter.set_available(available)
        self.no_mic.setVisible(not available)

    def _on_source(self, kind: VideoSourceKind) -> None:
        self.source_buttons[kind].setChecked(True)
        self.camera.setVisible(kind is VideoSourceKind.CAMERA)
        self.pause.setEnabled(kind is not VideoSourceKind.OFF)
        placeholder = {
            VideoSourceKind.OFF: self.tr("Video off — nothing is sent"),
            VideoSourceKind.CAMERA: self.tr("Waiting for the first camera frame…"),
            VideoSourceKind.SCREEN: self.tr("Waiting for the first screen frame…"),
        }[kind]
        self.preview.set_placeholder(placeholder)
        self._on_sending(self._vm.sending)

    def _on_paused(self, paused: bool) -> None:
        self.pause.setChecked(paused)
        self.pause.setText(self.tr("Resume video") if paused else self.tr("Pause video"))
        self.preview.set_paused(paused)
        self._on_sending(self._vm.sending)

    def _on_preview(self, image: QImage) -> None:
        self.preview.set_image(image)
        self._on_sending(self._vm.sending)

    def _on_sending(self, sending: bool) -> None:
        vm = self._vm
        self.preview.set_sending(sending)
        if vm.video_source is VideoSourceKind.OFF:
            text = self.tr("○ not sending video")
        elif vm.paused:
            text = self.tr("○ paused — not sending")
        elif sending and vm.preview_size is not None:
            width, height = vm.preview_size
            text = self.tr("● sending {0} fps · {1}×{2}").format(  # noqa: RUF001 (the "by" sign)
                self._fps_text(), width, height
            )
        elif sending:
            text = self.tr("● sending")
        else:
            text = self.tr("○ not sending yet")
        self.sending.setText(text)
        self.sending.setProperty("sending", sending)
        self.sending.style().unpolish(self.sending)
        self.sending.style().polish(self.sending)

    def _fps_text(self) -> str:
        fps = self._vm.frames_per_second
        return f"{fps:g}"

    def _on_headphones(self, headphones: bool) -> None:
        self.headphones.setChecked(headphones)
        self.echo.setEnabled(not headphones)
