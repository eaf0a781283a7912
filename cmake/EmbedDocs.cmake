# Writes OUTPUT: a C++ function returning each docs/checks/<name>.md page as a
# raw string, so `gilport explain` works wherever the binary is installed.
file(GLOB DOC_PAGES "${DOCS_DIR}/*.md")
list(SORT DOC_PAGES)
set(BODY "static llvm::StringRef checkDocumentation(llvm::StringRef Name) {\n")
foreach(PAGE ${DOC_PAGES})
  get_filename_component(CHECK_NAME "${PAGE}" NAME_WE)
  file(READ "${PAGE}" TEXT)
  string(APPEND BODY "  if (Name == \"${CHECK_NAME}\")\n    return R\"gilportdoc(${TEXT})gilportdoc\";\n")
endforeach()
string(APPEND BODY "  return \"\";\n}\n")
file(WRITE "${OUTPUT}.tmp" "${BODY}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
