#!/usr/bin/env bash
# The README's pictures: first page of the form, first page of the report, the
# first page of the report's attachment (the page that starts with 附件), and the
# first page of the sample's first project form.
# Needs LibreOffice, poppler-utils and the fonts named in docs/fonts.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
export FONTCONFIG_FILE="$PWD/docs/fonts.conf"
project=$(ls build/projects/*.docx | head -n 1)
soffice --headless --convert-to pdf --outdir build build/form.docx build/report.docx >/dev/null
soffice --headless --convert-to pdf --outdir build "$project" >/dev/null
mv "build/$(basename "${project%.docx}").pdf" build/project.pdf
shot() { pdftoppm -f "$2" -l "$2" -r 70 -png -singlefile "build/$1.pdf" "docs/$3"; }
shot form 1 form-page1
shot report 1 report-page1
page=$(pdftotext -layout build/report.pdf - | awk -v RS='\f' '$1 == "附件" { print NR; exit }')
shot report "${page:?no page starts with 附件}" report-attachment
shot project 1 project-page1

# The first page of each department layout's sample form (tests/fixtures/<layout>/).
for layout in central-department sichuan-department chongqing-department-2021 anhui-department-2023; do
  out="build/layouts/$layout"
  .venv/bin/perfdoc build "tests/fixtures/$layout" >/dev/null
  mkdir -p "$out"
  mv "tests/fixtures/$layout/build/"* "$out/"
  rmdir "tests/fixtures/$layout/build"
  soffice --headless --convert-to pdf --outdir "$out" "$out/form.docx" >/dev/null
  pdftoppm -f 1 -l 1 -r 70 -png -singlefile "$out/form.pdf" "docs/$layout-page1"
done
