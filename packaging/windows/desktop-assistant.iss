; Inno Setup 6 script for the Windows installer (per-user, no UAC prompt, with an uninstaller).
; Build on Windows after PyInstaller:
;   iscc /DAppVersion=0.1.0 packaging\windows\desktop-assistant.iss
; Output: dist\DesktopAssistant-<version>-win64-setup.exe
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Desktop Assistant"
#define AppExe "desktop-assistant.exe"

[Setup]
; The AppId never changes: it ties upgrades and the uninstaller to earlier installs.
AppId={{9D3B6A52-4C1E-4F0B-A7D2-5E8C31F4B6A9}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Desktop Assistant developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default; the user may still choose an install for all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=DesktopAssistant-{#AppVersion}-win64-setup
SetupIconFile=app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Signing, when a certificate is configured in the workflow:
;   iscc /Ssigntool="signtool.exe sign /fd sha256 /tr <timestamp-url> /td sha256 $f" /DSign=1 ...
#ifdef Sign
SignTool=signtool
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; A new version replaces _internal\ whole, so no stale library of an older version survives.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole PyInstaller onedir: desktop-assistant.exe, desktop-assistant-cli.exe and _internal\.
Source: "..\..\dist\desktop-assistant\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
