# Build the Windows bundle: dist\boards-desktop\ (one folder, boards-desktop.exe inside) and a zip of it.
# Run in PowerShell on Windows with Python 3.11+ installed:  powershell -File packaging\build-windows.ps1
# $env:DIST and $env:WORK choose other output folders; $env:BOARDS_SKIP_INSTALL = "1" builds with what
# .venv already has.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$Python = if ($env:PYTHON) { $env:PYTHON } else { ".venv\Scripts\python.exe" }
$Dist = if ($env:DIST) { $env:DIST } else { "dist" }
$Work = if ($env:WORK) { $env:WORK } else { "build" }
if ($env:BOARDS_SKIP_INSTALL -ne "1") {
    if (-not (Test-Path $Python)) { py -3 -m venv .venv }
    & $Python -m pip install -q -e ".[desktop,packaging]"
    if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
}
& $Python -m PyInstaller --noconfirm --clean --log-level WARN --distpath $Dist --workpath $Work `
    packaging\boards-desktop.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$Archive = Join-Path $Dist "boards-desktop-windows-x64.zip"
Compress-Archive -Path (Join-Path $Dist "boards-desktop") -DestinationPath $Archive -Force
Write-Output "built $Dist\boards-desktop\ and $Archive"
