; qoffice Windows installer (NSIS 3, Modern UI 2): per-user, no admin, Simplified Chinese first.
;
; Built by packaging/windows/build.sh:
;   makensis -DVERSION=0.1.0 -DVERSION_QUAD=0.1.0.0 -DSRCDIR=<dist/qoffice> -DOUTFILE=<setup.exe>
;            [-DCOMPRESSOR=lzma|zlib] qoffice.nsi
; Silent use: setup.exe /S [/D=path]; Uninstall.exe /S [/REMOVEDATA] (also deletes the user's data).

Unicode true
; Without this the stub is 32-bit, and on 64-bit-only Wine `setup.exe /S` "succeeds" installing nothing.
Target amd64-unicode

!ifndef VERSION
  !error "pass -DVERSION=x.y.z (from pyproject.toml)"
!endif
!ifndef VERSION_QUAD
  !define VERSION_QUAD "${VERSION}.0"
!endif
!ifndef SRCDIR
  !error "pass -DSRCDIR=<the PyInstaller folder dist/qoffice>"
!endif
!ifndef OUTFILE
  !define OUTFILE "qoffice-setup-${VERSION}.exe"
!endif
!ifndef COMPRESSOR
  !define COMPRESSOR "lzma"
!endif

!define APPNAME "qoffice"
!define APPTITLE "质量强企工作台"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
!define APP_KEY "Software\${APPNAME}"

!if "${COMPRESSOR}" == "lzma"
  SetCompressor /SOLID lzma
!else
  SetCompressor ${COMPRESSOR}
!endif

Name "${APPTITLE}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${APP_KEY}" "InstallDir"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APPTITLE} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=0 "ProductName" "${APPTITLE} qoffice"
VIAddVersionKey /LANG=0 "FileDescription" "${APPTITLE} 安装程序"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "GPL-3.0-or-later; Qt/PySide6 LGPLv3"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

!ifndef ICON
  !define ICON "../../resources/icons/qoffice.ico"  ; makensis works in this script's folder
!endif
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${MUI_ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\qoffice.exe"
!define MUI_FINISHPAGE_RUN_TEXT "$(RunNow)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; Simplified Chinese first: it is the default when Windows' language is neither of the two.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString NeedWin10 ${LANG_SIMPCHINESE} "${APPTITLE} 需要 64 位的 Windows 10 或更新版本，本机系统版本过旧，无法安装。"
LangString NeedWin10 ${LANG_ENGLISH} "${APPTITLE} needs 64-bit Windows 10 or newer; this system is too old."
LangString SecApp ${LANG_SIMPCHINESE} "程序文件（必需）"
LangString SecApp ${LANG_ENGLISH} "Program files (required)"
LangString SecDesktop ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktop ${LANG_ENGLISH} "Desktop shortcut"
LangString SecRemoveData ${LANG_SIMPCHINESE} "同时删除我的数据（数据库、备份和日志，无法恢复）"
LangString SecRemoveData ${LANG_ENGLISH} "Also delete my data (database, backups and logs; cannot be undone)"
LangString SecUninstall ${LANG_SIMPCHINESE} "卸载程序文件"
LangString SecUninstall ${LANG_ENGLISH} "Remove the program files"
LangString RunNow ${LANG_SIMPCHINESE} "立即运行 ${APPTITLE}"
LangString RunNow ${LANG_ENGLISH} "Run ${APPTITLE} now"

Function .onInit
  ; Qt 6 and Python 3.12 run on 64-bit Windows 10 or newer only.
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
    MessageBox MB_OK|MB_ICONSTOP "$(NeedWin10)" /SD IDOK
    SetErrorLevel 3
    Abort
  ${EndIf}
FunctionEnd

Section "$(SecApp)" SecApp
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; Upgrade in place: the old version's library folder goes first, so no stale module of an
  ; older release is left beside the new ones. The user's data lives elsewhere ($LOCALAPPDATA\qoffice).
  RMDir /r "$INSTDIR\_internal"
  File /r "${SRCDIR}/*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPTITLE}.lnk" "$INSTDIR\qoffice.exe" "" "$INSTDIR\qoffice.exe" 0

  WriteRegStr HKCU "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APPTITLE}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\qoffice.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "qoffice"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SecDesktop)" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${APPTITLE}.lnk" "$INSTDIR\qoffice.exe" "" "$INSTDIR\qoffice.exe" 0
SectionEnd

; ---------------------------------------------------------------- uninstaller
Section "un.$(SecUninstall)" SecUninstall
  SectionIn RO
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APPTITLE}.lnk"
  Delete "$DESKTOP\${APPTITLE}.lnk"
  ; Only what the installer put there: never RMDir /r a folder the user may have chosen freely.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\qoffice.exe"
  Delete "$INSTDIR\qoffice-cli.exe"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "${APP_KEY}"
SectionEnd

; Unticked by default: the database and its backups stay unless the user asks.
Section /o "un.$(SecRemoveData)" SecRemoveData
  SetShellVarContext current
  RMDir /r "$LOCALAPPDATA\${APPNAME}"
SectionEnd

Function un.onInit
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecRemoveData}
  ${EndIf}
FunctionEnd
