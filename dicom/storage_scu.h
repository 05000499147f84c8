// Sending DICOM instances to a PACS: one association with DCMTK's DcmSCU (C-ECHO, C-STORE), and
// the IHE Import Reconciliation of a disc's patient identity on an in-memory copy.
//
// No DCMTK type appears here. A StorageAssociation proposes, for each SOP class and transfer
// syntax it is told about, a presentation context with the files' own transfer syntax and one
// with the uncompressed ones (Explicit, Implicit VR Little Endian). Store() sends a file in its
// own transfer syntax when the PACS accepted it, else decompressed (DCMTK's decoders; JPEG 2000
// with OpenJPEG). The file on disk is only read: a reconciliation changes the copy in memory.
// One thread at a time per association.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/result.h"

namespace intake::dicom {

struct DicomPeer {
  std::string called_aet;  // the PACS's AE title
  std::string host;
  int port = 104;
  std::string calling_aet = "INTAKE";
  int timeout_seconds = 30;  // connect, association and each response
};

// IHE Import Reconciliation Workflow: the disc's patient identity replaced by the local one.
// PatientID and IssuerOfPatientID are replaced; the disc's values go into an item of the
// Original Attributes Sequence (0400,0561) with the reason and time, the foreign ID into the
// Other Patient IDs Sequence (0010,1002). Name and birth date replaced only when given (their
// old values kept the same way). SpecificCharacterSet and UIDs are never touched, and a name
// not given keeps its bytes. The ID, issuer and date must be ASCII (checked by the caller); a
// name given in other than ASCII needs a disc in UTF-8 (ISO_IR 192), else that instance fails.
struct Reconciliation {
  std::string patient_id;    // the hospital's own
  std::string issuer;        // IssuerOfPatientID of the hospital
  std::string patient_name;  // DICOM PN (Family^Given=漢字^名), UTF-8; empty: the disc's kept
  std::string birth_date;    // YYYYMMDD; empty: the disc's is kept
  std::string modified_at;   // DICOM DT, e.g. 20261206221500+0900
  std::string modifying_system = "intake";
};

// One SOP class with one transfer syntax to propose.
using ClassAndSyntax = std::pair<std::string, std::string>;

struct StoreOutcome {
  bool responded = false;        // a C-STORE response came back (status below is the PACS's)
  std::uint16_t status = 0;      // DIMSE status: 0x0000 success, 0xBxxx warning, else failure
  std::string transfer_syntax;   // what was sent on the wire
  bool decompressed = false;     // compressed file sent in an uncompressed transfer syntax
  bool connection_lost = false;  // the association is gone: open a new one to go on
  std::string error;             // without response: why (no file content)
};

// DIMSE status classes (PS3.7 Annex C).
bool IsSuccessStatus(std::uint16_t status);  // success or warning: the PACS kept the instance

class StorageAssociation {
 public:
  // Connects and negotiates. Fails (message with the DCMTK reason) when the PACS cannot be
  // reached, rejects the association, or accepts none of the storage contexts.
  static Result<std::unique_ptr<StorageAssociation>> Open(const DicomPeer& peer,
                                                          const std::vector<ClassAndSyntax>& pairs);
  ~StorageAssociation();  // releases the association (aborts it when the peer is gone)
  StorageAssociation(const StorageAssociation&) = delete;
  StorageAssociation& operator=(const StorageAssociation&) = delete;

  // C-ECHO (Verification): the PACS answers.
  Status Echo();
  // Reads `file`, applies `reconcile` (null: unchanged) to the copy in memory and sends it.
  StoreOutcome Store(const std::filesystem::path& file, const Reconciliation* reconcile);

 private:
  struct Impl;
  explicit StorageAssociation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What would be sent: `in` read, reconciled in memory, written to `out` in its own transfer
// syntax (for tests and for staff who want to look at it). `in` is never written.
Status WriteReconciledCopy(const std::filesystem::path& in, const std::filesystem::path& out,
                           const Reconciliation& reconcile);

}  // namespace intake::dicom
