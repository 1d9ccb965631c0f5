; Inno Setup script: the Windows installer for the one-folder build in dist\dangol\.
;
;   ISCC /DAppVersion=0.1.0 packaging\windows\dangol.iss      (from the repository root)
;
; packaging\windows\build.ps1 reads the version from pyproject.toml and passes it; the value
; below is the fallback, kept equal to pyproject.toml by tests/packaging/test_packaging_files.py.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1D3A52-3C0B-4E39-9D1E-6B2D0A1C7E11}
AppName=Dangol
AppVerName=Dangol (단골) {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=Dangol
DefaultDirName={autopf}\Dangol
DefaultGroupName=Dangol
; a shop PC often has one Windows account: install for this user unless asked otherwise
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=Dangol-{#AppVersion}-setup
SetupIconFile=..\icons\dangol.ico
UninstallDisplayIcon={app}\dangolw.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\LICENSES.md

[Languages]
Name: "korean"; MessagesFile: "compiler:Languages\Korean.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; the whole one-folder build; the shop's data lives in the user's data folder, not here
Source: "..\..\dist\dangol\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\단골 Dangol"; Filename: "{app}\dangolw.exe"
Name: "{group}\{cm:UninstallProgram,Dangol}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\단골 Dangol"; Filename: "{app}\dangolw.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\dangolw.exe"; Description: "{cm:LaunchProgram,Dangol}"; Flags: nowait postinstall skipifsilent
