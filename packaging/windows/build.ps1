# Windows: the one-folder build, then the installer (needs Python 3.11+ and Inno Setup 6).
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
python -m venv .venv
.venv\Scripts\python -m pip install -c packaging\lock.txt -e . "pyinstaller>=6.10"
.venv\Scripts\python packaging\make_icon.py
.venv\Scripts\python -m PyInstaller --noconfirm --clean --workpath build\pyinstaller --distpath dist packaging\dangol.spec
$version = .venv\Scripts\python -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])"
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" "/DAppVersion=$version" packaging\windows\dangol.iss
