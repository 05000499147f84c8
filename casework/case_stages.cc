#include "casework/case_stages.h"

#include "stages/case_folder.h"
#include "stages/case_state.h"
#include "stages/classify.h"
#include "stages/crosscheck.h"
#include "stages/dicom.h"
#include "stages/facts.h"
#include "stages/ocr.h"
#include "stages/page_evidence.h"
#include "stages/pages.h"
#include "stages/reply_slip.h"
#include "stages/rules.h"
#include "stages/screen.h"
#include "stages/unpack.h"
#include "stages/write.h"
#include "stages/write_documents.h"
#include "stages/write_letter.h"

namespace intake::casework {
namespace {

using namespace intake::stages;

DicomStageOptions DicomOptions(const CaseStagesInput& in) {
  DicomStageOptions options;
  options.case_dir = in.case_dir;  // key images beside the reports
  return options;
}

PagesOptions PageOptions(const CaseStagesInput& in) {
  PagesOptions options;
  options.render_dpi = in.render_dpi;
  return options;
}

WriteDocumentsOptions DocumentOptions(const CaseStagesInput& in) {
  WriteDocumentsOptions options;
  options.case_dir = in.case_dir;
  options.layout = CaseFolderLayout(in.profile);
  options.glyph_font = in.ocr.tessdata_dir() / "pdf.ttf";
  return options;
}

CaseFolderOptions FolderOptions(const CaseStagesInput& in) {
  CaseFolderOptions options;
  options.case_dir = in.case_dir;
  options.submission = in.envelopes.front().path;
  options.layout = CaseFolderLayout(in.profile);
  options.link_original = in.envelopes.front().link;
  options.known_hashes = in.file_hashes;
  options.ready_copies = in.file_copies;
  if (in.envelopes.size() > 1) {
    for (const EnvelopeSource& envelope : in.envelopes) {
      options.envelopes.push_back({envelope.number, envelope.path, envelope.link});
    }
  }
  return options;
}

}  // namespace

CaseStages MakeCaseStages(const CaseStagesInput& in) {
  CaseStages s;
  for (const EnvelopeSource& envelope : in.envelopes) {
    s.reading.push_back(MakeEnvelopeUnpackStage(envelope.path, envelope.number));
  }
  // Before pages: the PDFs it extracts from Encapsulated PDF instances become pages too.
  s.reading.push_back(MakeDicomStage(DicomOptions(in)));
  s.reading.push_back(MakePagesStage(PageOptions(in)));
  s.reading.push_back(MakeOcrStage(in.ocr, in.low_ocr_confidence));
  s.reading.push_back(MakeScreenStage());      // before anything else uses the text
  s.reading.push_back(MakeReplySlipStage());   // the slip is no document: before classify
  s.reading.push_back(MakeClassifyStage(in.profile));
  s.reading.push_back(MakeWriteDocumentsStage(DocumentOptions(in)));
  s.reading.push_back(MakeCaseFolderStage(FolderOptions(in)));
  s.reading.push_back(MakeFactsStage());
  s.reading.push_back(MakeCrossCheckStage());  // its findings weigh in the verdict
  s.reading.push_back(MakePageEvidenceStage(in.case_dir));  // after facts: their boxes
  // (follow-up? CaseProcessor processes its case again over all its envelopes)
  s.verdict.push_back(MakeRulesStage(in.profile));
  s.verdict.push_back(MakeWriteLetterStage(in.profile, {in.case_dir, {}}));
  s.verdict.push_back(MakeCaseStateStage(in.case_dir, in.records_dir));
  s.verdict.push_back(MakeWriteReportStage(in.case_dir, in.report_context));
  return s;
}

}  // namespace intake::casework
