// Stage: one step of the pipeline, and the runner that calls the steps in order.
//
// A stage gets what it needs (profile, OCR pool, limits) through its constructor and then
// enriches the Case in Run(). A problem with one file becomes a Finding on that file and Run()
// still returns Ok; Run() fails only when the whole case cannot go on. The runner catches every
// exception at the stage boundary, so none escapes a stage (or a worker thread).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"
#include "pipeline/result.h"

namespace intake {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;  // short, safe to log: "unpack", "ocr", ...
  virtual Status Run(Case& c) = 0;
};

// Runs the stages in order and logs each one's duration (case id and counts only).
// Returns the first stage failure, with the stage name in the message.
Status RunStages(const std::vector<std::unique_ptr<Stage>>& stages, Case& c);

}  // namespace intake
