<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About {0}</source>
        <translation>Über {0}</translation>
    </message>
    <message>
        <source>Version {0}</source>
        <translation>Version {0}</translation>
    </message>
    <message>
        <source>Talk with Gemini in real time, by voice, with your camera or screen in view, and interrupt it at any moment.</source>
        <translation>Sprich in Echtzeit mit Gemini, mit Kamera oder Bildschirm im Blick, und unterbrich jederzeit.</translation>
    </message>
    <message>
        <source>Qt {0} · PySide6 {1} · Python {2}</source>
        <translation>Qt {0} · PySide6 {1} · Python {2}</translation>
    </message>
    <message>
        <source>Free software under the MIT licence.</source>
        <translation>Freie Software unter der MIT-Lizenz.</translation>
    </message>
</context>
<context>
    <name>Backend</name>
    <message>
        <source>Offline (English, limited knowledge)</source>
        <translation>Offline (Englisch, begrenztes Wissen)</translation>
    </message>
    <message>
        <source>Runs entirely on this computer: no API key, no network. It understands and speaks English only. A very small language model answers, so it knows little and can be wrong; the time, the date and timers are handled exactly, and the app's tools are used where they fit.</source>
        <translation>Läuft ganz auf diesem Computer: kein API-Schlüssel, kein Netzwerk. Versteht und spricht nur Englisch. Ein sehr kleines Sprachmodell antwortet, es weiß also wenig und kann sich irren; Uhrzeit, Datum und Timer werden exakt behandelt, und wo sie passen, werden die Werkzeuge der App genutzt.</translation>
    </message>
    <message>
        <source>Preparing the offline language model (first run only)…</source>
        <translation>Das Offline-Sprachmodell wird vorbereitet (nur beim ersten Mal)…</translation>
    </message>
    <message>
        <source>Offline assistant</source>
        <translation>Offline-Assistent</translation>
    </message>
    <message>
        <source>Local test engine (echo)</source>
        <translation>Lokale Test-Engine (Echo)</translation>
    </message>
    <message>
        <source>Repeats what you say or type, to check the app, the microphone and the speaker without a key. It does not answer questions.</source>
        <translation>Wiederholt, was Sie sagen oder tippen, um App, Mikrofon und Lautsprecher ohne Schlüssel zu prüfen. Fragen beantwortet sie nicht.</translation>
    </message>
    <message>
        <source>Echo test</source>
        <translation>Echo-Test</translation>
    </message>
    <message>
        <source>Local test engine (script {0})</source>
        <translation>Lokale Test-Engine (Skript {0})</translation>
    </message>
    <message>
        <source>Plays the answers of a script file, for tests and demonstrations.</source>
        <translation>Spielt die Antworten einer Skriptdatei ab, für Tests und Vorführungen.</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>Skript</translation>
    </message>
    <message>
        <source>Local engine ({0})</source>
        <translation>Lokale Engine ({0})</translation>
    </message>
    <message>
        <source>The bundled local server, answering with its {0} engine.</source>
        <translation>Der mitgelieferte lokale Server; es antwortet seine Engine {0}.</translation>
    </message>
    <message>
        <source>Local engine</source>
        <translation>Lokale Engine</translation>
    </message>
    <message>
        <source>Gemini API (organisation's tokens)</source>
        <translation>Gemini-API (Tokens der Organisation)</translation>
    </message>
    <message>
        <source>The Gemini Live API, with short-lived tokens from {0}.</source>
        <translation>Die Gemini-Live-API, mit kurzlebigen Tokens von {0}.</translation>
    </message>
    <message>
        <source>your organisation</source>
        <translation>Ihrer Organisation</translation>
    </message>
    <message>
        <source>Vertex AI</source>
        <translation>Vertex AI</translation>
    </message>
    <message>
        <source>Gemini Live on Google Cloud Vertex AI (project {0}).</source>
        <translation>Gemini Live auf Google Cloud Vertex AI (Projekt {0}).</translation>
    </message>
    <message>
        <source>Custom endpoint</source>
        <translation>Eigener Endpunkt</translation>
    </message>
    <message>
        <source>A Live endpoint at {0}.</source>
        <translation>Ein Live-Endpunkt unter {0}.</translation>
    </message>
    <message>
        <source>Gemini API</source>
        <translation>Gemini-API</translation>
    </message>
    <message>
        <source>Google's Gemini Live API, with your API key.</source>
        <translation>Die Gemini-Live-API von Google, mit Ihrem API-Schlüssel.</translation>
    </message>
    <message>
        <source>The offline speech engine is ready.</source>
        <translation>Die Offline-Sprach-Engine ist bereit.</translation>
    </message>
    <message>
        <source>The offline speech engine could not load.</source>
        <translation>Die Offline-Sprach-Engine konnte nicht geladen werden.</translation>
    </message>
    <message>
        <source>The offline speech engine could not load: {0}</source>
        <translation>Die Offline-Sprach-Engine konnte nicht geladen werden: {0}</translation>
    </message>
    <message>
        <source>Loading the offline speech engine…</source>
        <translation>Die Offline-Sprach-Engine wird geladen…</translation>
    </message>
</context>
<context>
    <name>BackendViewModel</name>
    <message>
        <source>The backend in use could not be determined.</source>
        <translation>Die verwendete Verbindung ließ sich nicht feststellen.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss message</source>
        <translation>Meldung schließen</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>BannerViewModel</name>
    <message>
        <source>Enter a key…</source>
        <translation>Schlüssel eingeben…</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Choose a device</source>
        <translation>Gerät wählen</translation>
    </message>
    <message>
        <source>The connection dropped — reconnecting ({0}/{1})…</source>
        <translation>Die Verbindung ist abgebrochen — neuer Versuch ({0}/{1})…</translation>
    </message>
    <message>
        <source>The connection dropped — reconnecting…</source>
        <translation>Die Verbindung ist abgebrochen — neuer Versuch…</translation>
    </message>
    <message>
        <source>Could not reach the service.</source>
        <translation>Der Dienst ist nicht erreichbar.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
</context>
<context>
    <name>CaptionsView</name>
    <message>
        <source>Bilingual captions</source>
        <translation>Zweisprachige Untertitel</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>Übersetzung</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the transcript</source>
        <translation>Mitschrift kopieren</translation>
    </message>
    <message>
        <source>Copy the transcript as text (Ctrl+Shift+C)</source>
        <translation>Mitschrift als Text kopieren (Strg+Umschalt+C)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export the transcript</source>
        <translation>Mitschrift exportieren</translation>
    </message>
    <message>
        <source>Save as Markdown, JSON or SRT subtitles (Ctrl+S)</source>
        <translation>Als Markdown, JSON oder SRT-Untertitel speichern (Strg+S)</translation>
    </message>
    <message>
        <source>Markdown (.md)</source>
        <translation>Markdown (.md)</translation>
    </message>
    <message>
        <source>JSON (.json)</source>
        <translation>JSON (.json)</translation>
    </message>
    <message>
        <source>Subtitles (.srt)</source>
        <translation>Untertitel (.srt)</translation>
    </message>
    <message>
        <source>Type a message… (Enter sends, Ctrl+L focuses)</source>
        <translation>Nachricht eingeben… (Eingabe sendet, Strg+L springt hierher)</translation>
    </message>
    <message>
        <source>Message to send</source>
        <translation>Zu sendende Nachricht</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Send into the conversation (Enter)</source>
        <translation>Ins Gespräch senden (Eingabe)</translation>
    </message>
    <message>
        <source>Start the conversation to send messages (F5)</source>
        <translation>Starten Sie das Gespräch, um Nachrichten zu senden (F5)</translation>
    </message>
    <message>
        <source>The transcript could not be saved to {0}: {1}.</source>
        <translation>Die Mitschrift konnte nicht unter {0} gespeichert werden: {1}.</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Subtitles (*.srt)</source>
        <translation>Untertitel (*.srt)</translation>
    </message>
</context>
<context>
    <name>ConversationSection</name>
    <message>
        <source>Proactive audio (answers only when it is relevant)</source>
        <translation>Proaktives Audio (antwortet nur, wenn es passt)</translation>
    </message>
    <message>
        <source>Proactive audio</source>
        <translation>Proaktives Audio</translation>
    </message>
    <message>
        <source>Affective dialog (responds to your tone)</source>
        <translation>Affektiver Dialog (geht auf Ihren Tonfall ein)</translation>
    </message>
    <message>
        <source>Affective dialog</source>
        <translation>Affektiver Dialog</translation>
    </message>
    <message>
        <source>System instruction</source>
        <translation>Systemanweisung</translation>
    </message>
    <message>
        <source>How the assistant should behave…</source>
        <translation>Wie sich der Assistent verhalten soll…</translation>
    </message>
    <message>
        <source>Transcribe what I say</source>
        <translation>Mitschreiben, was ich sage</translation>
    </message>
    <message>
        <source>Transcribe what the assistant says</source>
        <translation>Mitschreiben, was der Assistent sagt</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>Anweisung</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>Welcome to Desktop Assistant</source>
        <translation>Willkommen bei Desktop Assistant</translation>
    </message>
    <message>
        <source>Choose how to talk to Gemini. Without a key the app works with the local engine, and you can change this later in Settings.</source>
        <translation>Wählen Sie, wie Sie mit Gemini sprechen. Ohne Schlüssel arbeitet die App mit der lokalen Engine; Sie können das später in den Einstellungen ändern.</translation>
    </message>
    <message>
        <source>Gemini API key</source>
        <translation>Gemini-API-Schlüssel</translation>
    </message>
    <message>
        <source>My organisation's token service</source>
        <translation>Token-Dienst meiner Organisation</translation>
    </message>
    <message>
        <source>Vertex AI (Google Cloud)</source>
        <translation>Vertex AI (Google Cloud)</translation>
    </message>
    <message>
        <source>Local engine only (offline, no key)</source>
        <translation>Nur lokale Engine (offline, ohne Schlüssel)</translation>
    </message>
    <message>
        <source>{0} — on this computer, no key</source>
        <translation>{0} — auf diesem Computer, ohne Schlüssel</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Stored: {0} (paste a new one to replace it)</source>
        <translation>Gespeichert: {0} (zum Ersetzen einen neuen einfügen)</translation>
    </message>
    <message>
        <source>Paste the key from Google AI Studio</source>
        <translation>Schlüssel aus Google AI Studio einfügen</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>The key is checked, then kept in your system's keychain.</source>
        <translation>Der Schlüssel wird geprüft und dann im Schlüsselbund Ihres Systems abgelegt.</translation>
    </message>
    <message>
        <source>Token service address</source>
        <translation>Adresse des Token-Dienstes</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Google Cloud project</source>
        <translation>Google-Cloud-Projekt</translation>
    </message>
    <message>
        <source>Vertex AI location</source>
        <translation>Vertex-AI-Region</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Region</translation>
    </message>
    <message>
        <source>Conversations stay on this computer. Understanding and voice are simpler.</source>
        <translation>Gespräche bleiben auf diesem Computer. Verständnis und Stimme sind einfacher.</translation>
    </message>
    <message>
        <source>Use the local engine for now</source>
        <translation>Vorerst die lokale Engine nutzen</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
</context>
<context>
    <name>FirstRunViewModel</name>
    <message>
        <source>The backend could not be set up.</source>
        <translation>Die Verbindung konnte nicht eingerichtet werden.</translation>
    </message>
    <message>
        <source>Paste your Gemini API key, or choose the local engine.</source>
        <translation>Fügen Sie Ihren Gemini-API-Schlüssel ein oder wählen Sie die lokale Engine.</translation>
    </message>
    <message>
        <source>Enter your organisation's token address (https://…).</source>
        <translation>Geben Sie die Token-Adresse Ihrer Organisation ein (https://…).</translation>
    </message>
    <message>
        <source>Enter the Google Cloud project that runs Vertex AI.</source>
        <translation>Geben Sie das Google-Cloud-Projekt an, in dem Vertex AI läuft.</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Side panels</source>
        <translation>Seitenleisten</translation>
    </message>
    <message>
        <source>See &amp;&amp; hear</source>
        <translation>Sehen &amp;&amp; hören</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>{0} gespeichert</translation>
    </message>
    <message>
        <source>voice {0}</source>
        <translation>Stimme {0}</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>Original</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>Übersetzung</translation>
    </message>
    <message>
        <source>Settings applied on a new connection</source>
        <translation>Einstellungen auf einer neuen Verbindung übernommen</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Verbindungsstatus</translation>
    </message>
    <message>
        <source>Conversation summary</source>
        <translation>Gesprächsübersicht</translation>
    </message>
    <message>
        <source>About Desktop Assistant</source>
        <translation>Über Desktop Assistant</translation>
    </message>
    <message>
        <source>Start or stop</source>
        <translation>Starten oder beenden</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Stumm</translation>
    </message>
    <message>
        <source>Type a message</source>
        <translation>Nachricht eingeben</translation>
    </message>
    <message>
        <source>Video off</source>
        <translation>Video aus</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>Bildschirm</translation>
    </message>
    <message>
        <source>Pause video</source>
        <translation>Video anhalten</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Copy transcript</source>
        <translation>Mitschrift kopieren</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird beendet…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Stop the conversation</source>
        <translation>Gespräch beenden</translation>
    </message>
    <message>
        <source>Start the conversation</source>
        <translation>Gespräch starten</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Stumm aus</translation>
    </message>
    <message>
        <source>Unmute the microphone</source>
        <translation>Mikrofon einschalten</translation>
    </message>
    <message>
        <source>Mute the microphone</source>
        <translation>Mikrofon stummschalten</translation>
    </message>
    <message>
        <source>Talking…</source>
        <translation>Sprechen…</translation>
    </message>
    <message>
        <source>Hold to talk</source>
        <translation>Halten zum Sprechen</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>Drücken zum Sprechen</translation>
    </message>
    <message>
        <source>Hold to talk (hold {0})</source>
        <translation>Halten zum Sprechen ({0} gedrückt halten)</translation>
    </message>
    <message>
        <source>Turns are detected automatically; choose push to talk in Settings</source>
        <translation>Sprecherwechsel werden automatisch erkannt; „Drücken zum Sprechen“ gibt es in den Einstellungen</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Verbinde</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>Verbinde neu</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Tools ({0})</source>
        <translation>Werkzeuge ({0})</translation>
    </message>
</context>
<context>
    <name>MediaPanel</name>
    <message>
        <source>See</source>
        <translation>Sehen</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>Bildschirm</translation>
    </message>
    <message>
        <source>Video source: {0}</source>
        <translation>Videoquelle: {0}</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <translation>{0} ({1})</translation>
    </message>
    <message>
        <source>Preview of the frame sent</source>
        <translation>Vorschau des gesendeten Bildes</translation>
    </message>
    <message>
        <source>Video sending state</source>
        <translation>Sendestatus des Videos</translation>
    </message>
    <message>
        <source>Pause video</source>
        <translation>Video anhalten</translation>
    </message>
    <message>
        <source>Stop sending frames, keep the source open (Ctrl+P)</source>
        <translation>Keine Bilder mehr senden, Quelle offen lassen (Strg+P)</translation>
    </message>
    <message>
        <source>Hear and speak</source>
        <translation>Hören und sprechen</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>Mikrofonpegel</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Lautsprecher</translation>
    </message>
    <message>
        <source>Speaker level</source>
        <translation>Lautsprecherpegel</translation>
    </message>
    <message>
        <source>Mic</source>
        <translation>Mikro</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>No microphone — you can still type.</source>
        <translation>Kein Mikrofon — Sie können trotzdem tippen.</translation>
    </message>
    <message>
        <source>No microphone</source>
        <translation>Kein Mikrofon</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>Echounterdrückung</translation>
    </message>
    <message>
        <source>Keeps the assistant from hearing itself through your speakers</source>
        <translation>Verhindert, dass der Assistent sich selbst über Ihre Lautsprecher hört</translation>
    </message>
    <message>
        <source>Headphones</source>
        <translation>Kopfhörer</translation>
    </message>
    <message>
        <source>I use headphones</source>
        <translation>Ich trage Kopfhörer</translation>
    </message>
    <message>
        <source>With headphones there is no echo to cancel</source>
        <translation>Mit Kopfhörern gibt es kein Echo zu unterdrücken</translation>
    </message>
    <message>
        <source>No microphone found</source>
        <translation>Kein Mikrofon gefunden</translation>
    </message>
    <message>
        <source>No speaker found</source>
        <translation>Kein Lautsprecher gefunden</translation>
    </message>
    <message>
        <source>No camera found</source>
        <translation>Keine Kamera gefunden</translation>
    </message>
    <message>
        <source>Video off — nothing is sent</source>
        <translation>Video aus — es wird nichts gesendet</translation>
    </message>
    <message>
        <source>Waiting for the first camera frame…</source>
        <translation>Warte auf das erste Kamerabild…</translation>
    </message>
    <message>
        <source>Waiting for the first screen frame…</source>
        <translation>Warte auf das erste Bildschirmbild…</translation>
    </message>
    <message>
        <source>Resume video</source>
        <translation>Video fortsetzen</translation>
    </message>
    <message>
        <source>○ not sending video</source>
        <translation>○ kein Video wird gesendet</translation>
    </message>
    <message>
        <source>○ paused — not sending</source>
        <translation>○ angehalten — nichts wird gesendet</translation>
    </message>
    <message>
        <source>● sending {0} fps · {1}×{2}</source>
        <translation>● sendet {0} B/s · {1}×{2}</translation>
    </message>
    <message>
        <source>● sending</source>
        <translation>● sendet</translation>
    </message>
    <message>
        <source>○ not sending yet</source>
        <translation>○ sendet noch nicht</translation>
    </message>
</context>
<context>
    <name>MediaViewModel</name>
    <message>
        <source>That microphone could not be opened.</source>
        <translation>Dieses Mikrofon ließ sich nicht öffnen.</translation>
    </message>
    <message>
        <source>That speaker could not be opened.</source>
        <translation>Dieser Lautsprecher ließ sich nicht öffnen.</translation>
    </message>
    <message>
        <source>That camera could not be opened.</source>
        <translation>Diese Kamera ließ sich nicht öffnen.</translation>
    </message>
    <message>
        <source>The video source could not be switched.</source>
        <translation>Die Videoquelle ließ sich nicht wechseln.</translation>
    </message>
    <message>
        <source>Echo cancellation could not be switched.</source>
        <translation>Die Echounterdrückung ließ sich nicht umschalten.</translation>
    </message>
    <message>
        <source>The headphones setting could not be applied.</source>
        <translation>Die Kopfhörer-Einstellung ließ sich nicht übernehmen.</translation>
    </message>
</context>
<context>
    <name>ModelSection</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>Stimme</translation>
    </message>
    <message>
        <source>Spoken language</source>
        <translation>Gesprochene Sprache</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>{0} offers {1} of the 30 voices.</source>
        <translation>{0} bietet {1} der 30 Stimmen.</translation>
    </message>
</context>
<context>
    <name>SessionViewModel</name>
    <message>
        <source>The conversation could not start.</source>
        <translation>Das Gespräch konnte nicht beginnen.</translation>
    </message>
    <message>
        <source>The conversation did not stop cleanly.</source>
        <translation>Das Gespräch wurde nicht sauber beendet.</translation>
    </message>
    <message>
        <source>The microphone could not be muted.</source>
        <translation>Das Mikrofon ließ sich nicht stummschalten.</translation>
    </message>
    <message>
        <source>The microphone could not be unmuted.</source>
        <translation>Das Mikrofon ließ sich nicht einschalten.</translation>
    </message>
    <message>
        <source>Push-to-talk did not reach the conversation.</source>
        <translation>„Drücken zum Sprechen“ kam nicht im Gespräch an.</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Translation</source>
        <translation>Übersetzung</translation>
    </message>
    <message>
        <source>Model and voice</source>
        <translation>Modell und Stimme</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
    <message>
        <source>Turns</source>
        <translation>Sprecherwechsel</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>{0} does not support proactive audio.</source>
        <translation>{0} unterstützt kein proaktives Audio.</translation>
    </message>
    <message>
        <source>{0} does not support affective dialog.</source>
        <translation>{0} unterstützt keinen affektiven Dialog.</translation>
    </message>
    <message>
        <source>{0} picks its spoken language by itself; say it in the instruction.</source>
        <translation>{0} wählt die gesprochene Sprache selbst; nennen Sie sie in der Anweisung.</translation>
    </message>
    <message>
        <source>{0} takes no instructions.</source>
        <translation>{0} nimmt keine Anweisungen an.</translation>
    </message>
    <message>
        <source>{0} takes audio only: no camera or screen.</source>
        <translation>{0} nimmt nur Audio: keine Kamera, kein Bildschirm.</translation>
    </message>
    <message>
        <source>{0} cannot call tools.</source>
        <translation>{0} kann keine Werkzeuge aufrufen.</translation>
    </message>
    <message>
        <source>{0} answers with speech only; read its replies in the transcript.</source>
        <translation>{0} antwortet nur gesprochen; lesen Sie die Antworten in der Mitschrift.</translation>
    </message>
    <message>
        <source>{0} speaks in the speaker's own voice.</source>
        <translation>{0} spricht mit der Stimme der sprechenden Person.</translation>
    </message>
    <message>
        <source>{0} translates continuously; turns do not apply.</source>
        <translation>{0} übersetzt fortlaufend; Sprecherwechsel gibt es dabei nicht.</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Vorgabe des Modells</translation>
    </message>
    <message>
        <source>Quiet room</source>
        <translation>Ruhiger Raum</translation>
    </message>
    <message>
        <source>Noisy room</source>
        <translation>Lauter Raum</translation>
    </message>
    <message>
        <source>I pause to think</source>
        <translation>Ich mache Denkpausen</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Change…</source>
        <translation>Ändern…</translation>
    </message>
    <message>
        <source>Change how to reach Gemini</source>
        <translation>Ändern, wie Gemini erreicht wird</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Gesprächseinstellungen</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Revert the settings</source>
        <translation>Änderungen verwerfen</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Apply the settings</source>
        <translation>Einstellungen übernehmen</translation>
    </message>
    <message>
        <source>Gemini API when a key is stored, else the local engine</source>
        <translation>Gemini-API, wenn ein Schlüssel gespeichert ist, sonst die lokale Engine</translation>
    </message>
    <message>
        <source>Gemini API when a key is stored, else {0}</source>
        <translation>Gemini-API, wenn ein Schlüssel gespeichert ist, sonst {0}</translation>
    </message>
    <message>
        <source>Gemini API</source>
        <translation>Gemini-API</translation>
    </message>
    <message>
        <source>Gemini API through your organisation's tokens</source>
        <translation>Gemini-API über die Tokens Ihrer Organisation</translation>
    </message>
    <message>
        <source>Vertex AI</source>
        <translation>Vertex AI</translation>
    </message>
    <message>
        <source>Local engine</source>
        <translation>Lokale Engine</translation>
    </message>
    <message>
        <source>Custom endpoint</source>
        <translation>Eigener Endpunkt</translation>
    </message>
    <message>
        <source>Backend: {0}</source>
        <translation>Verbindung: {0}</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Wird übernommen…</translation>
    </message>
    <message>
        <source>Needs a new connection: Apply reconnects and keeps the transcript.</source>
        <translation>Braucht eine neue Verbindung: „Übernehmen“ verbindet neu und behält die Mitschrift.</translation>
    </message>
    <message>
        <source>Applies at once, without reconnecting.</source>
        <translation>Gilt sofort, ohne neue Verbindung.</translation>
    </message>
    <message>
        <source>Apply and reconnect</source>
        <translation>Übernehmen und neu verbinden</translation>
    </message>
</context>
<context>
    <name>SettingsViewModel</name>
    <message>
        <source>Set by your organisation.</source>
        <translation>Von Ihrer Organisation festgelegt.</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>No translation model is offered on this backend.</source>
        <translation>Diese Verbindung bietet kein Übersetzungsmodell.</translation>
    </message>
    <message>
        <source>The settings could not be applied.</source>
        <translation>Die Einstellungen ließen sich nicht übernehmen.</translation>
    </message>
</context>
<context>
    <name>StateStrip</name>
    <message>
        <source>not started</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <source>listening</source>
        <translation>hört zu</translation>
    </message>
    <message>
        <source>you're speaking</source>
        <translation>Sie sprechen</translation>
    </message>
    <message>
        <source>thinking</source>
        <translation>denkt nach</translation>
    </message>
    <message>
        <source>speaking</source>
        <translation>spricht</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>tool running</source>
        <translation>Werkzeug läuft</translation>
    </message>
    <message>
        <source>Turn state</source>
        <translation>Gesprächszustand</translation>
    </message>
    <message>
        <source>Now: {0}</source>
        <translation>Jetzt: {0}</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>Token usage</source>
        <translation>Token-Verbrauch</translation>
    </message>
    <message>
        <source>Backend getting ready</source>
        <translation>Verbindung wird vorbereitet</translation>
    </message>
    <message>
        <source>Loading progress</source>
        <translation>Ladefortschritt</translation>
    </message>
</context>
<context>
    <name>StatusViewModel</name>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <source>Reconnecting ({0}/{1})…</source>
        <translation>Verbinde neu ({0}/{1})…</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Verbinde neu…</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>Verbindung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>reconnected {0}×</source>
        <translation>{0}× neu verbunden</translation>
    </message>
    <message>
        <source>resumed {0}×</source>
        <translation>{0}× fortgesetzt</translation>
    </message>
    <message>
        <source>heard in {0} ms</source>
        <translation>gehört nach {0} ms</translation>
    </message>
    <message>
        <source>(median {0} ms)</source>
        <translation>(Median {0} ms)</translation>
    </message>
    <message>
        <source>Turn {0}: first text {1} ms, first audio {2} ms</source>
        <translation>Runde {0}: erster Text {1} ms, erster Ton {2} ms</translation>
    </message>
    <message>
        <source>tokens {0}</source>
        <translation>Tokens {0}</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>document</source>
        <translation>Dokument</translation>
    </message>
</context>
<context>
    <name>ToolCallCard</name>
    <message>
        <source>Approve</source>
        <translation>Erlauben</translation>
    </message>
    <message>
        <source>Approve {0}</source>
        <translation>{0} erlauben</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Deny {0}</source>
        <translation>{0} ablehnen</translation>
    </message>
    <message>
        <source>id {0}</source>
        <translation>ID {0}</translation>
    </message>
    <message>
        <source>arguments: {0}</source>
        <translation>Argumente: {0}</translation>
    </message>
    <message>
        <source>result: {0}</source>
        <translation>Ergebnis: {0}</translation>
    </message>
    <message>
        <source>it changes something outside the app</source>
        <translation>es verändert etwas außerhalb der App</translation>
    </message>
    <message>
        <source>Asks for your approval: {0}.</source>
        <translation>Bittet um Ihre Erlaubnis: {0}.</translation>
    </message>
    <message>
        <source>Tool call {0}: {1}</source>
        <translation>Werkzeugaufruf {0}: {1}</translation>
    </message>
</context>
<context>
    <name>ToolConsole</name>
    <message>
        <source>Tool console</source>
        <translation>Werkzeugkonsole</translation>
    </message>
    <message>
        <source>No tool calls yet. When the model uses a tool, it shows here.</source>
        <translation>Noch keine Werkzeugaufrufe. Wenn das Modell ein Werkzeug nutzt, erscheint es hier.</translation>
    </message>
</context>
<context>
    <name>ToolState</name>
    <message>
        <source>waiting for your approval</source>
        <translation>wartet auf Ihre Erlaubnis</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>Zeit überschritten</translation>
    </message>
    <message>
        <source>denied</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
</context>
<context>
    <name>ToolsPanel</name>
    <message>
        <source>Tools that change something outside the app wait here for your approval.</source>
        <translation>Werkzeuge, die etwas außerhalb der App verändern, warten hier auf Ihre Erlaubnis.</translation>
    </message>
</context>
<context>
    <name>ToolsViewModel</name>
    <message>
        <source>approve</source>
        <translation>erlauben</translation>
    </message>
    <message>
        <source>deny</source>
        <translation>ablehnen</translation>
    </message>
    <message>
        <source>Could not {0} the tool call {1}.</source>
        <translation>Der Werkzeugaufruf {1} ließ sich nicht {0}.</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Gemini</source>
        <translation>Gemini</translation>
    </message>
    <message>
        <source>typed</source>
        <translation>getippt</translation>
    </message>
    <message>
        <source>cut</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>Tool call</source>
        <translation>Werkzeugaufruf</translation>
    </message>
    <message>
        <source>You said</source>
        <translation>Sie sagten</translation>
    </message>
    <message>
        <source>{0} said</source>
        <translation>{0} sagte</translation>
    </message>
    <message>
        <source>Gemini said</source>
        <translation>Gemini sagte</translation>
    </message>
    <message>
        <source>The greyed words were not heard: playback stopped when you interrupted.</source>
        <translation>Die grauen Wörter waren nicht zu hören: Die Wiedergabe endete, als Sie unterbrachen.</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>Mitschrift</translation>
    </message>
    <message>
        <source>Press Start and speak, or type a message below. The conversation appears here.</source>
        <translation>Drücken Sie „Starten“ und sprechen Sie, oder tippen Sie unten eine Nachricht. Das Gespräch erscheint hier.</translation>
    </message>
</context>
<context>
    <name>TranscriptViewModel</name>
    <message>
        <source>Your message could not be sent.</source>
        <translation>Ihre Nachricht konnte nicht gesendet werden.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Gemini</source>
        <translation>Gemini</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
</context>
<context>
    <name>TranslationSection</name>
    <message>
        <source>Translate what I say (uses a translation model)</source>
        <translation>Übersetzen, was ich sage (mit einem Übersetzungsmodell)</translation>
    </message>
    <message>
        <source>Translation mode</source>
        <translation>Übersetzungsmodus</translation>
    </message>
    <message>
        <source>Language spoken</source>
        <translation>Gesprochene Sprache</translation>
    </message>
    <message>
        <source>Detect automatically</source>
        <translation>Automatisch erkennen</translation>
    </message>
    <message>
        <source>Translate into</source>
        <translation>Übersetzen in</translation>
    </message>
    <message>
        <source>Also speak when I already use the target language</source>
        <translation>Auch sprechen, wenn ich schon die Zielsprache spreche</translation>
    </message>
    <message>
        <source>Repeat speech already in the target language</source>
        <translation>Sprache wiederholen, die schon in der Zielsprache ist</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Into</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>No translation model is offered on this backend.</source>
        <translation>Diese Verbindung bietet kein Übersetzungsmodell.</translation>
    </message>
    <message>
        <source>Model: {0}</source>
        <translation>Modell: {0}</translation>
    </message>
</context>
<context>
    <name>TurnSection</name>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Automatic turn detection</source>
        <translation>Automatische Sprechererkennung</translation>
    </message>
    <message>
        <source>Push to talk (hold {0})</source>
        <translation>Drücken zum Sprechen ({0} halten)</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>Drücken zum Sprechen</translation>
    </message>
    <message>
        <source>Turn preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Eigene</translation>
    </message>
    <message>
        <source>Start sensitivity</source>
        <translation>Empfindlichkeit am Anfang</translation>
    </message>
    <message>
        <source>End sensitivity</source>
        <translation>Empfindlichkeit am Ende</translation>
    </message>
    <message>
        <source>Speech start padding</source>
        <translation>Vorlauf vor dem Sprechbeginn</translation>
    </message>
    <message>
        <source>Silence before the turn ends</source>
        <translation>Stille, bevor der Sprecherwechsel erfolgt</translation>
    </message>
    <message>
        <source>My speech interrupts the assistant</source>
        <translation>Mein Sprechen unterbricht den Assistenten</translation>
    </message>
    <message>
        <source>Speech interrupts the assistant</source>
        <translation>Sprechen unterbricht den Assistenten</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Ende</translation>
    </message>
    <message>
        <source>Padding</source>
        <translation>Vorlauf</translation>
    </message>
    <message>
        <source>Silence</source>
        <translation>Stille</translation>
    </message>
    <message>
        <source>default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>low</source>
        <translation>niedrig</translation>
    </message>
    <message>
        <source>high</source>
        <translation>hoch</translation>
    </message>
</context>
<context>
    <name>TurnsPanel</name>
    <message>
        <source>Turns</source>
        <translation>Sprecherwechsel</translation>
    </message>
    <message>
        <source>Turn timeline</source>
        <translation>Verlauf der Sprecherwechsel</translation>
    </message>
    <message>
        <source>Turn counts</source>
        <translation>Anzahl der Runden</translation>
    </message>
    <message>
        <source>{0} turns</source>
        <translation>{0} Runden</translation>
    </message>
    <message>
        <source>1 turn</source>
        <translation>1 Runde</translation>
    </message>
    <message>
        <source>interrupted {0}×</source>
        <translation>{0}× unterbrochen</translation>
    </message>
</context>
<context>
    <name>VideoPreview</name>
    <message>
        <source>Video off</source>
        <translation>Video aus</translation>
    </message>
    <message>
        <source>Paused — not sending</source>
        <translation>Angehalten — es wird nichts gesendet</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>sendet</translation>
    </message>
</context>
<context>
    <name>VideoSection</name>
    <message>
        <source>Frames per second</source>
        <translation>Bilder pro Sekunde</translation>
    </message>
    <message>
        <source>Resolution sent</source>
        <translation>Gesendete Auflösung</translation>
    </message>
    <message>
        <source>Low (about 64 tokens a frame)</source>
        <translation>Niedrig (etwa 64 Tokens pro Bild)</translation>
    </message>
    <message>
        <source>Medium (about 256 tokens a frame)</source>
        <translation>Mittel (etwa 256 Tokens pro Bild)</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Vorgabe des Modells</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Auflösung</translation>
    </message>
    <message>
        <source>{0} fps</source>
        <translation>{0} B/s</translation>
    </message>
</context>
</TS>