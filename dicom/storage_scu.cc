#include "dicom/storage_scu.h"

#include <set>

#include "dcmtk/config/osconfig.h"  // must come first among the DCMTK headers
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/scu.h"
#include "dicom/codecs.h"
#include "dicom/dicom_reader.h"

namespace intake::dicom {
namespace {

// DICOM presentation context ids are the odd numbers 1..255.
constexpr std::size_t kMaxPresentationContexts = 128;

const char* const kUncompressed[] = {UID_LittleEndianExplicitTransferSyntax,
                                     UID_LittleEndianImplicitTransferSyntax};

bool IsUncompressed(const std::string& uid) {
  for (const char* u : kUncompressed) {
    if (uid == u) return true;
  }
  return false;
}

OFList<OFString> SyntaxList(const std::string& first) {
  OFList<OFString> list;
  if (!first.empty()) list.push_back(first.c_str());
  for (const char* u : kUncompressed) {
    if (first != u) list.push_back(u);
  }
  return list;
}

std::string DcmtkReason(const OFCondition& cond) {
  return std::string(cond.text()) + " (DCMTK " + std::to_string(cond.module()) + "." +
         std::to_string(cond.code()) + ")";
}

// Inserts the disc's values of `tags` into `item` (a Modified Attributes Sequence item or an
// Other Patient IDs item): the bytes as the disc holds them, empty when the disc had none.
void CopyOriginal(DcmDataset& dataset, DcmItem& item, const DcmTagKey& tag, bool keep_empty) {
  OFString value;
  const bool present = dataset.findAndGetOFStringArray(tag, value).good();
  if (present || keep_empty) (void)item.putAndInsertString(tag, value.c_str());
}

bool IsAscii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

Status Reconcile(DcmDataset& ds, const Reconciliation& r) {
  if (!IsAscii(r.patient_name)) {
    OFString charset;
    (void)ds.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
    if (charset != "ISO_IR 192") {
      return Status::Fail(
          "reconciliation: the disc's character set cannot hold the name given (give it in "
          "romaji, or leave the disc's)");
    }
  }
  OFString old_issuer;
  (void)ds.findAndGetOFStringArray(DCM_IssuerOfPatientID, old_issuer);
  DcmItem* original = nullptr;
  DcmItem* modified = nullptr;
  DcmItem* other = nullptr;
  if (ds.findOrCreateSequenceItem(DCM_OriginalAttributesSequence, original, -2).bad() ||
      original->findOrCreateSequenceItem(DCM_ModifiedAttributesSequence, modified, 0).bad() ||
      ds.findOrCreateSequenceItem(DCM_OtherPatientIDsSequence, other, -2).bad()) {
    return Status::Fail("reconciliation: sequences could not be made");
  }
  // Attributes absent before the change are listed empty (PS3.3 C.12.1.1.9.2).
  CopyOriginal(ds, *modified, DCM_PatientID, true);
  CopyOriginal(ds, *modified, DCM_IssuerOfPatientID, true);
  if (!r.patient_name.empty()) CopyOriginal(ds, *modified, DCM_PatientName, true);
  if (!r.birth_date.empty()) CopyOriginal(ds, *modified, DCM_PatientBirthDate, true);
  CopyOriginal(ds, *other, DCM_PatientID, true);
  CopyOriginal(ds, *other, DCM_IssuerOfPatientID, false);
  (void)other->putAndInsertString(DCM_TypeOfPatientID, "TEXT");

  const std::pair<DcmTagKey, std::string> item_values[] = {
      {DCM_AttributeModificationDateTime, r.modified_at},
      {DCM_ModifyingSystem, r.modifying_system},
      {DCM_SourceOfPreviousValues, old_issuer.c_str()},
      {DCM_ReasonForTheAttributeModification, "COERCE"},
  };
  for (const auto& [tag, value] : item_values) {
    if (original->putAndInsertString(tag, value.c_str()).bad()) {
      return Status::Fail("reconciliation: the original attributes could not be recorded");
    }
  }
  if (ds.putAndInsertString(DCM_PatientID, r.patient_id.c_str()).bad() ||
      ds.putAndInsertString(DCM_IssuerOfPatientID, r.issuer.c_str()).bad() ||
      (!r.patient_name.empty() &&
       ds.putAndInsertString(DCM_PatientName, r.patient_name.c_str()).bad()) ||
      (!r.birth_date.empty() &&
       ds.putAndInsertString(DCM_PatientBirthDate, r.birth_date.c_str()).bad())) {
    return Status::Fail("reconciliation: the local patient identity could not be set");
  }
  return Status::Ok();
}

Result<std::unique_ptr<DcmFileFormat>> Load(const std::filesystem::path& file) {
  auto format = std::make_unique<DcmFileFormat>();
  if (format->loadFile(OFFilename(file.c_str())).bad()) {
    return Result<std::unique_ptr<DcmFileFormat>>::Fail("DICOM file could not be read");
  }
  format->loadAllDataIntoMemory();
  return format;
}

}  // namespace

bool IsSuccessStatus(std::uint16_t status) {
  return status == STATUS_Success || (status & 0xf000) == 0xb000;
}

struct StorageAssociation::Impl {
  DcmSCU scu;
  bool broken = false;  // a request failed on the network: abort instead of release
};

StorageAssociation::StorageAssociation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StorageAssociation::~StorageAssociation() {
  if (!impl_->scu.isConnected()) return;
  if (impl_->broken) {
    (void)impl_->scu.abortAssociation();
  } else {
    (void)impl_->scu.releaseAssociation();
  }
}

Result<std::unique_ptr<StorageAssociation>> StorageAssociation::Open(
    const DicomPeer& peer, const std::vector<ClassAndSyntax>& pairs) {
  using R = Result<std::unique_ptr<StorageAssociation>>;
  QuietDcmtkLogging();
  RegisterDcmtkCodecs();
  auto impl = std::make_unique<Impl>();
  DcmSCU& scu = impl->scu;
  scu.setAETitle(peer.calling_aet.c_str());
  scu.setPeerAETitle(peer.called_aet.c_str());
  scu.setPeerHostName(peer.host.c_str());
  scu.setPeerPort(static_cast<Uint16>(peer.port));
  scu.setConnectionTimeout(peer.timeout_seconds);
  scu.setACSETimeout(static_cast<Uint32>(peer.timeout_seconds));
  scu.setDIMSETimeout(static_cast<Uint32>(peer.timeout_seconds));
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDatasetConversionMode(OFTrue);  // decompress for an uncompressed context

  std::size_t contexts = 1;
  (void)scu.addPresentationContext(UID_VerificationSOPClass, SyntaxList(""));
  std::set<ClassAndSyntax> proposed;
  std::set<std::string> classes;
  for (const auto& [sop_class, syntax] : pairs) {
    // The file's own transfer syntax first (its own context, so that refusing it leaves the
    // uncompressed one), then the uncompressed ones, once per SOP class.
    if (!IsUncompressed(syntax) && !syntax.empty() && proposed.insert({sop_class, syntax}).second) {
      (void)scu.addPresentationContext(sop_class.c_str(), SyntaxList(syntax));
      ++contexts;
    }
    if (classes.insert(sop_class).second) {
      (void)scu.addPresentationContext(sop_class.c_str(), SyntaxList(""));
      ++contexts;
    }
  }
  if (contexts > kMaxPresentationContexts) {
    return R::Fail("too many SOP classes and transfer syntaxes for one association (" +
                   std::to_string(contexts) + ")");
  }
  if (OFCondition c = scu.initNetwork(); c.bad()) {
    return R::Fail("network could not be set up: " + DcmtkReason(c));
  }
  if (OFCondition c = scu.negotiateAssociation(); c.bad()) {
    return R::Fail("association with the PACS failed: " + DcmtkReason(c));
  }
  return std::unique_ptr<StorageAssociation>(new StorageAssociation(std::move(impl)));
}

Status StorageAssociation::Echo() {
  const T_ASC_PresentationContextID id =
      impl_->scu.findAnyPresentationContextID(UID_VerificationSOPClass, "");
  if (id == 0) return Status::Fail("the PACS refused the Verification service (C-ECHO)");
  if (OFCondition c = impl_->scu.sendECHORequest(id); c.bad()) {
    impl_->broken = true;
    return Status::Fail("C-ECHO failed: " + DcmtkReason(c));
  }
  return Status::Ok();
}

StoreOutcome StorageAssociation::Store(const std::filesystem::path& file,
                                       const Reconciliation* reconcile) {
  StoreOutcome out;
  try {
    auto format = Load(file);
    if (!format.ok()) {
      out.error = format.message();
      return out;
    }
    DcmDataset& ds = *(*format)->getDataset();
    OFString sop_class;
    (void)ds.findAndGetOFString(DCM_SOPClassUID, sop_class);
    const std::string own = DcmXfer(ds.getOriginalXfer()).getXferID();
    if (reconcile != nullptr) {
      if (Status s = Reconcile(ds, *reconcile); !s.ok()) {
        out.error = s.message();
        return out;
      }
    }
    DcmSCU& scu = impl_->scu;
    T_ASC_PresentationContextID id = scu.findPresentationContextID(sop_class, own.c_str());
    out.transfer_syntax = own;
    for (const char* u : kUncompressed) {
      if (id != 0) break;
      id = scu.findPresentationContextID(sop_class, u);
      out.transfer_syntax = u;
    }
    if (id == 0) {
      out.error = "the PACS accepted no transfer syntax proposed for this SOP class";
      return out;
    }
    const bool converted = out.transfer_syntax != own;
    out.decompressed = converted && DcmXfer(own.c_str()).isEncapsulated();
    if (out.decompressed && IsJpeg2000(own)) {
      if (Status s = DecodeJpeg2000(ds); !s.ok()) {
        out.error = s.message();
        return out;
      }
    }
    if (converted &&
        !ds.chooseRepresentation(DcmXfer(out.transfer_syntax.c_str()).getXfer(), nullptr).good()) {
      out.error = "the pixels could not be decompressed for the PACS";
      return out;
    }
    Uint16 status = 0;
    if (OFCondition c = scu.sendSTORERequest(id, OFFilename(), &ds, status); c.bad()) {
      impl_->broken = true;
      out.connection_lost = true;
      out.error = "C-STORE failed: " + DcmtkReason(c);
      return out;
    }
    out.responded = true;
    out.status = status;
    return out;
  } catch (const std::bad_alloc&) {
    out.error = "out of memory while sending";
  } catch (...) {
    out.error = "unexpected error while sending";
  }
  return out;
}

Status WriteReconciledCopy(const std::filesystem::path& in, const std::filesystem::path& out,
                           const Reconciliation& reconcile) {
  QuietDcmtkLogging();
  try {
    auto format = Load(in);
    RETURN_IF_ERROR(format);
    DcmDataset& ds = *(*format)->getDataset();
    if (Status s = Reconcile(ds, reconcile); !s.ok()) return s;
    if ((*format)->saveFile(OFFilename(out.c_str()), ds.getOriginalXfer()).bad()) {
      return Status::Fail("reconciled copy could not be written");
    }
    return Status::Ok();
  } catch (...) {
    return Status::Fail("unexpected error while reconciling");
  }
}

}  // namespace intake::dicom
