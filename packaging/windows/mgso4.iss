; Inno Setup 6 script: Windows installer for MgSO4 Preterm Proforma.
;
; Packs the PyInstaller one-folder bundle (dist\mgso4-proforma, built from packaging\mgso4.spec)
; into one setup .exe. How to build it: packaging\windows\README.md.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\mgso4.iss
;
; What it does, and what it never does:
; - Installs per machine, into Program Files (administrator rights), with a Start-menu entry
;   for the app and one for training mode.
; - The record (SQLite), its backups and the settings live in each user's own data folders
;   (%LOCALAPPDATA%\mgso4-proforma\...), which the app creates when it first runs. This script
;   never installs into, changes or deletes those folders: an upgrade keeps every record and
;   setting, and uninstalling removes only the program files under {app}.
; - AppId is fixed for the life of the product: Windows recognises an upgrade by it. Never
;   change it (tests\packaging\test_packaging_installer.py checks it).

; The version comes from mgso4.__version__; pass it on the command line (/DAppVersion=...).
; The default below must equal mgso4.__version__ (checked by the same test).
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

#define AppName "MgSO4 Preterm Proforma"
#define AppPublisher "MgSO4 Preterm Proforma project"
; Must equal BUNDLE_NAME, EXE_NAME and GUI_EXE_NAME in packaging\mgso4.spec.
#define BundleDir "..\..\dist\mgso4-proforma"
#define CliExe "mgso4.exe"
#define GuiExe "mgso4-gui.exe"

[Setup]
AppId={{241CCBD3-92A8-4C7A-80A4-81B53B750437}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per-machine install under Program Files.
PrivilegesRequired=admin
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Ask to close a running copy before files are replaced: the app holds the record open.
CloseApplications=yes
RestartApplications=no
SetupIconFile=..\..\resources\icons\app-icon.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=mgso4-proforma-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[InstallDelete]
; An upgrade replaces the program folder's libraries wholesale, so no file from an older
; version lingers beside the new one. Only inside {app}: never the user's data folders.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole bundle: executables, Python runtime, Qt, and _internal\resources (protocols,
; preparations, fonts, icons, styles).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Comment: "Magnesium sulphate for fetal neuroprotection: bedside proforma, record and audit"
Name: "{autoprograms}\{#AppName} (training)"; Filename: "{app}\{#GuiExe}"; Parameters: "--training"; WorkingDir: "{app}"; Comment: "Practice with the separate training record"

[Run]
Filename: "{app}\{#GuiExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent unchecked
