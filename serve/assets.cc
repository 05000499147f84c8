// The review pages' script and style sheet, served as files (/static/...) because the
// Content-Security-Policy forbids inline script and style.
#include <string>

#include "report/html_common.h"
#include "serve/pages.h"

namespace intake::serve {
namespace {

// Keyboard shortcuts only: every page works without it.
//   n      next case to review            /      search (case list)
//   j, k   next / previous item to review (case page; the rows on the case list)
//   Enter  open the case (case list)      a      accept: the item's form set to present /
//   o      override: the item's status     confirmed, its reason field focused
//   Escape leave a field
constexpr std::string_view kAppJs = R"js('use strict';
(function () {
  var page = document.body.dataset.page;
  var current = -1;
  function rows() {
    var todo = document.querySelectorAll('tr.item.todo');
    if (page === 'case' && todo.length > 0) return Array.prototype.slice.call(todo);
    return Array.prototype.slice.call(document.querySelectorAll('tr.item'));
  }
  function mark(i) {
    var list = rows();
    if (list.length === 0) return;
    current = Math.max(0, Math.min(i, list.length - 1));
    document.querySelectorAll('tr.current').forEach(function (r) { r.classList.remove('current'); });
    list[current].classList.add('current');
    list[current].scrollIntoView({block: 'center'});
  }
  function row() { var list = rows(); return current >= 0 ? list[current] : null; }
  function typing(target) {
    return target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName);
  }
  function accept() {
    var r = row();
    if (!r) return;
    var status = r.querySelector('select.status');
    if (status) {
      var wanted = r.id.indexOf('finding-') === 0 ? 'confirmed' : 'present';
      status.value = wanted;
    }
    var reason = r.querySelector('input.reason, input.value');
    if (reason) reason.focus();
  }
  function override() {
    var r = row();
    var field = r && r.querySelector('select, input.value');
    if (field) field.focus();
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    var next = document.getElementById('next-case');
    if (e.key === 'n' && next) { window.location.href = next.href; }
    else if (e.key === '/') {
      var q = document.getElementById('q');
      if (q) { e.preventDefault(); q.focus(); }
    }
    else if (e.key === 'j') { mark(current + 1); }
    else if (e.key === 'k') { mark(current - 1); }
    else if (e.key === 'Enter' && page === 'list' && row()) {
      window.location.href = row().dataset.href;
    }
    else if (e.key === 'a' && page === 'case') { if (current < 0) mark(0); accept(); e.preventDefault(); }
    else if (e.key === 'o' && page === 'case') { if (current < 0) mark(0); override(); e.preventDefault(); }
  });
  document.querySelectorAll('tr.item[data-href]').forEach(function (r) {
    r.addEventListener('click', function (e) {
      if (e.target.tagName !== 'A') window.location.href = r.dataset.href;
    });
  });
  if (page === 'case' && document.querySelector('tr.item.todo')) mark(0);
})();
)js";

constexpr std::string_view kServeStyle = R"css(
.bar { display: flex; gap: 16px; align-items: center; padding: 6px 0 10px;
  border-bottom: 1px solid var(--line); margin-bottom: 12px; font-size: 13px; }
.bar .brand { font-weight: bold; color: #1f2328; text-decoration: none; }
.bar form { margin: 0; }
.bar .keys { margin-left: auto; }
.search { display: flex; gap: 8px; flex-wrap: wrap; margin: 10px 0; }
.search input[type=search] { flex: 1; min-width: 260px; padding: 6px; font-size: 15px; }
a.button, button { display: inline-block; padding: 4px 10px; border: 1px solid #888;
  border-radius: 6px; background: var(--soft); color: #1f2328; text-decoration: none;
  font-size: 13px; cursor: pointer; }
tr.item[data-href] { cursor: pointer; }
tr.current { outline: 3px solid #2563eb; outline-offset: -3px; }
tr.todo td:first-child { border-left: 4px solid var(--orange); }
form.decide { display: flex; gap: 4px; flex-wrap: wrap; margin: 2px 0; }
form.decide input.reason { flex: 1; min-width: 120px; }
.verdict-badge-unreadable { background: var(--grey); }
.patient { font-size: 16px; }
.saved { background: #e8f5ec; border: 1px solid var(--green); padding: 6px 10px; border-radius: 6px; }
.error { color: var(--red); font-weight: bold; }
.ask { color: var(--red); }
.case-nav { display: flex; gap: 16px; align-items: center; }
.imaging { display: flex; flex-wrap: wrap; gap: 12px; }
.series img { max-width: 240px; border: 1px solid var(--line); }
.sev-error { color: var(--red); font-weight: bold; }
.sev-warning { color: var(--amber); }
.page-view { margin: 12px 0 20px; }
.page-pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px;
  align-items: start; }
.sheet { position: relative; border: 1px solid var(--line); }
.sheet img { display: block; width: 100%; height: auto; }
.sheet svg.overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
rect.box { fill-opacity: 0.22; stroke-width: 2; vector-effect: non-scaling-stroke; }
rect.box-fact { fill: #f59e0b; stroke: #b45309; }
rect.box-class { fill: #2563eb; stroke: #1d4ed8; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: middle; border: 2px solid; }
.swatch-fact { background: rgba(245, 158, 11, 0.3); border-color: #b45309; }
.swatch-class { background: rgba(37, 99, 235, 0.3); border-color: #1d4ed8; }
.read { font-size: 13px; max-height: 80vh; overflow: auto; }
.read-marks { list-style: none; padding: 0; }
.read-lines { color: #333; padding-left: 2.2em; }
#users tr.disabled td { color: var(--grey); }
main.login { max-width: 360px; margin: 80px auto; }
main.login label { display: block; margin: 10px 0; }
main.login input { width: 100%; padding: 6px; font-size: 15px; }
)css";

}  // namespace

std::string_view AppJs() { return kAppJs; }

std::string StyleCss() { return std::string(report::SharedStyle()) + std::string(kServeStyle); }

}  // namespace intake::serve
