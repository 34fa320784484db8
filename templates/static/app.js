// briefpack's small enhancements. Every page works without them.
(function () {
  "use strict";

  // Drafts kept in this browser belong to the person signed in, at their
  // clearance: each page shown to someone removes every draft that is not
  // theirs at the clearance they have now (or that was kept before drafts
  // were kept by person), so that on a shared machine nothing one person
  // typed is offered to, or left in the storage of, another.
  var draftScope = document.body.getAttribute("data-drafts");
  var draftPrefix = draftScope ? "briefpack-draft:" + draftScope + ":" : null;
  if (draftPrefix) {
    try {
      Object.keys(window.localStorage).forEach(function (k) {
        if (k.indexOf("briefpack-draft:") === 0 && k.indexOf(draftPrefix) !== 0) { window.localStorage.removeItem(k); }
      });
    } catch (e) { /* no storage */ }
  }

  // Live portion marks and the sheet's rolled-up marking in the editor,
  // and the page's banners with it: the page's marking is the higher of the
  // round's (the floor) and the sheet's as it stands, as the server gives
  // the page without scripts.
  var editor = document.querySelector("form.sheet-editor");
  if (editor) {
    var scheme = JSON.parse(editor.getAttribute("data-scheme") || "[]");
    var marks = JSON.parse(editor.getAttribute("data-portion") || "[]");
    var bannerClasses = JSON.parse(editor.getAttribute("data-banner") || "[]");
    var update = function () {
      var floor = scheme.indexOf(editor.getAttribute("data-floor") || "");
      var top = 0;
      editor.querySelectorAll("select.marking").forEach(function (sel) {
        var i = scheme.indexOf(sel.value);
        var out = document.getElementById(sel.id + "-pm");
        if (out && i >= 0) { out.textContent = "(" + marks[i] + ")"; }
        if (i > top) { top = i; }
      });
      var roll = document.getElementById("sheet-marking");
      if (roll) { roll.textContent = scheme[top]; }
      var page = Math.max(top, floor);
      ["banner-top", "banner-bottom"].forEach(function (id) {
        var b = document.getElementById(id);
        if (!b || !scheme[page] || !bannerClasses[page]) { return; }
        b.textContent = scheme[page];
        b.className = "banner " + bannerClasses[page];
      });
    };
    editor.addEventListener("change", update);
    update();

    // Never lose a word: what is typed is kept in this browser as it is
    // typed, and offered back when the editor is opened again without it
    // (after a crash, a closed tab, or a session that ended before the save);
    // leaving with unsaved changes asks first.
    var sheetID = (editor.getAttribute("action") || "").split("/")[2];
    var key = draftPrefix ? draftPrefix + sheetID : null;
    var fields = function () {
      var out = {};
      editor.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (el) {
        if (el.type === "hidden" && el.name !== "title" && !/\.id$/.test(el.name)) { return; }
        out[el.name] = el.value;
      });
      return out;
    };
    // The server keeps the whole form as it would be sent, its sections and
    // paragraphs (their ids too) with what was typed: the draft the page
    // keeps without scripts, which it shows again whole (?working=1).
    var formFields = function () {
      var out = {};
      new FormData(editor).forEach(function (v, k) {
        if (k !== "csrf_token" && k !== "version" && typeof v === "string") { out[k] = v; }
      });
      return out;
    };
    var same = function (a, b) { return JSON.stringify(a) === JSON.stringify(b); };
    var loaded = fields();
    // What the writer typed is each field as it stands against its base, the
    // field as the page gave it: only what differs is kept in this browser,
    // with the base it was typed against, so a copy kept never holds a field
    // the writer did not touch (which, put back after someone else saved it,
    // would undo their change unseen). A page showing what this browser kept
    // (a working copy, a refused save) takes the base kept with it.
    var base = {};
    Object.keys(loaded).forEach(function (n) { base[n] = loaded[n]; });
    var isID = function (n) { return /\.id$/.test(n); };
    // A page showing a working copy (kept on the server, or a refused save)
    // is unsaved from the start.
    var unsaved = editor.hasAttribute("data-unsaved");
    var dirty = unsaved;
    var version = +((editor.elements.version || {}).value || 0);
    var serverTimer = null;
    var putting = null; // the draft being sent, if any
    // The browser's copy: the fields typed, each with its base, the
    // paragraph ids the page holds (to tell whether its paragraphs still
    // stand where they stood) and the version they were typed against.
    // Nothing typed, it is removed.
    var typed = function () {
      var now = fields(), out = { fields: {}, base: {}, n: 0 };
      Object.keys(now).forEach(function (n) {
        if (isID(n)) { out.fields[n] = now[n]; return; }
        var b = Object.prototype.hasOwnProperty.call(base, n) ? base[n] : null;
        if (now[n] !== b) { out.fields[n] = now[n]; out.base[n] = b; out.n++; }
      });
      return out;
    };
    var keepLocal = function () {
      dirty = unsaved || !same(fields(), loaded);
      try {
        if (!key) { return; }
        var t = typed();
        if (t.n) {
          window.localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), version: version, fields: t.fields, base: t.base }));
        } else {
          window.localStorage.removeItem(key);
        }
      } catch (e) { /* storage full or off: the warning still stands */ }
    };
    var owed = false; // typed since the server was last sent the draft
    var putDraft = function (leaving) {
      window.clearTimeout(serverTimer);
      owed = false;
      var req = { method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ version: version, fields: formFields() }) };
      if (leaving) { req.keepalive = true; } // sent on after the page is gone
      putting = fetch("/api/v1/sheets/" + encodeURIComponent(sheetID) + "/draft", req)
        .catch(function () {}).then(function () { putting = null; });
    };
    var keepDraft = function () {
      keepLocal();
      // And on the server, a few seconds after the typing stops: the draft
      // then survives this machine too. Refused (an ended session), it waits.
      if (dirty && window.fetch) {
        owed = true;
        window.clearTimeout(serverTimer);
        serverTimer = window.setTimeout(function () { putDraft(false); }, 3000);
      }
    };
    var timer = null;
    editor.addEventListener("input", function () { owed = true; window.clearTimeout(timer); timer = window.setTimeout(keepDraft, 400); });
    editor.addEventListener("change", keepDraft);
    // Left (a reload, a closed tab, a link followed) before the server had
    // it, the draft is sent as the page goes. This browser's copy cannot
    // always stand in for it: one that holds a paragraph added in place is
    // dropped by the page that comes next, which does not have that
    // paragraph, and offers the server's working copy instead. A save or a
    // change sent with the form sends the draft itself (and is not dirty).
    window.addEventListener("pagehide", function () {
      window.clearTimeout(timer);
      if (!owed || !window.fetch) { return; }
      keepLocal();
      if (dirty) {
        try { putDraft(true); } catch (e) { /* too large to send as the page goes: this browser's copy stands */ }
      }
    });
    // A session that ended while the officer typed: the save asks for the
    // password here, signs in again and then saves, the text never leaving
    // the page.
    var reauthed = false;
    // The form is sent: what was typed is kept first (a refused save whose
    // page lost it offers it back), and a save marks it sent, so that the
    // page the saved sheet comes back in drops it (see below). A draft for
    // the server still waiting is not sent after the save, which removes it.
    var sending = function (op) {
      window.clearTimeout(timer);
      window.clearTimeout(serverTimer);
      keepLocal();
      dirty = owed = false;
      if (op !== "save" && op !== "submit") { return; }
      try {
        var kept = key ? JSON.parse(window.localStorage.getItem(key) || "null") : null;
        if (kept) {
          kept.sent = { version: version, fields: kept.fields };
          window.localStorage.setItem(key, JSON.stringify(kept));
        }
      } catch (e) { /* no storage */ }
    };
    editor.addEventListener("submit", function (e) {
      var op = e.submitter && e.submitter.value;
      if (reauthed || !window.fetch || (op !== "save" && op !== "submit")) { sending(op); return; }
      e.preventDefault();
      var submitter = e.submitter;
      fetch("/api/v1/me", { credentials: "same-origin" }).then(function (r) {
        if (r.status !== 401) { reauthed = true; dirty = false; editor.requestSubmit(submitter); return; }
        askPassword(submitter);
      }).catch(function () { reauthed = true; dirty = false; editor.requestSubmit(submitter); });
    });
    var askPassword = function (submitter) {
      var old = document.getElementById("reauth");
      if (old) { old.remove(); }
      var box = document.createElement("div");
      box.className = "flash warning";
      box.id = "reauth";
      box.setAttribute("role", "alertdialog");
      box.innerHTML = '<p>Your session has ended. Your text is still here: enter your password to sign in again, and it is saved.</p>' +
        '<label for="reauth-password">Password for <strong></strong></label> <input type="password" id="reauth-password" autocomplete="current-password"> ' +
        '<button type="button" id="reauth-go">Sign in and save</button> <span class="small" id="reauth-error" role="alert"></span>';
      box.querySelector("strong").textContent = editor.getAttribute("data-user");
      editor.parentNode.insertBefore(box, editor);
      var pw = box.querySelector("#reauth-password");
      var go = function () {
        fetch("/api/v1/login", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name: editor.getAttribute("data-user"), password: pw.value }) })
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, b: b }; }); })
          .then(function (res) {
            if (!res.ok) { box.querySelector("#reauth-error").textContent = (res.b.error && res.b.error.message) || "That did not work: try again."; return; }
            editor.elements.csrf_token.value = res.b.csrf_token;
            box.remove();
            reauthed = true;
            dirty = false;
            editor.requestSubmit(submitter);
          })
          .catch(function () { box.querySelector("#reauth-error").textContent = "The server did not answer: try again."; });
      };
      box.querySelector("#reauth-go").addEventListener("click", go);
      pw.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); go(); } });
      pw.focus();
    };
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
    // Edit in place: adding, moving, deleting and previewing paragraphs and
    // sections are sent as the form would send them, and the editor the
    // server answers with takes the old one's place, with the page kept
    // where the officer is working and the focus on what they acted on.
    // Without scripts the same buttons send the form, and the working copy
    // the server keeps is shown at the address it redirects to.
    var structural = /^(add-para|del-para|up-para|down-para|add-section|up-section|down-section|del-section|preview)(:|$)/;
    editor.addEventListener("click", function (e) {
      var btn = e.target.closest("button[name=op]");
      if (!btn || !structural.test(btn.value) || !window.fetch || !window.DOMParser || e.defaultPrevented) { return; }
      e.preventDefault();
      var op = btn.value;
      var before = btn.getBoundingClientRect().top;
      var data = new FormData(editor);
      data.set("op", op);
      // The change keeps the draft itself, then the server shows it: a draft
      // sent before must not land in between.
      window.clearTimeout(serverTimer);
      (putting || Promise.resolve())
        .then(function () { return fetch(editor.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), credentials: "same-origin", redirect: "follow" }); })
        .then(function (r) { return r.text().then(function (html) { return { r: r, html: html }; }); })
        .then(function (res) {
          var doc = new DOMParser().parseFromString(res.html, "text/html");
          var fresh = doc.querySelector("form.sheet-editor");
          if (!fresh) { window.location.assign(res.r.url); return; } // signed out, or an error page: show it
          editor.innerHTML = fresh.innerHTML;
          editor.setAttribute("data-floor", fresh.getAttribute("data-floor") || "");
          // What stands above the editor and goes with the working copy
          // (a refusal, the list of conflicts still to decide, the sheet as
          // saved since a refused save) is the answer's, as it is without
          // scripts: kept, the list named choices the change had applied,
          // at places it had moved.
          var above = ["editor-error", "conflicts", "saved-since"];
          above.forEach(function (id, k) {
            var old = document.getElementById(id), now = doc.getElementById(id);
            if (now) { now = document.importNode(now, true); }
            if (old && now) { old.replaceWith(now); return; }
            if (old) { old.remove(); return; }
            if (!now) { return; }
            var next = null;
            for (var n = k + 1; n < above.length && !next; n++) { next = document.getElementById(above[n]); }
            next = next || document.getElementById("presence") || editor;
            next.parentNode.insertBefore(now, next);
          });
          update();
          // What the officer acted on, where it is now: the page is scrolled
          // so that it stands where the button stood, and it has the focus.
          var p = op.split(":"), i = +p[1], j = +p[2];
          var q = function (sel) { return editor.querySelector(sel); };
          var keep = q("button[value='" + op + "']"), focus = null;
          switch (p[0]) {
          case "add-para":
            var list = editor.querySelectorAll("textarea[id^='s" + i + "-p']");
            focus = list[list.length - 1];
            break;
          // As with sections: the first paragraph has no ↑ and the last no ↓.
          case "up-para": keep = focus = q("button[value='up-para:" + i + ":" + (j - 1) + "']") || q("button[value='down-para:" + i + ":" + (j - 1) + "']"); break;
          case "down-para": keep = focus = q("button[value='down-para:" + i + ":" + (j + 1) + "']") || q("button[value='up-para:" + i + ":" + (j + 1) + "']"); break;
          case "del-para": keep = q("button[value='add-para:" + i + "']"); focus = q("#s" + i + "-p" + j + "-text") || keep; break;
          // The first section has no ↑ and the last no ↓: moved there, the other button of the section moved.
          case "up-section": keep = focus = q("button[value='up-section:" + (i - 1) + "']") || q("button[value='down-section:" + (i - 1) + "']"); break;
          case "down-section": keep = focus = q("button[value='down-section:" + (i + 1) + "']") || q("button[value='up-section:" + (i + 1) + "']"); break;
          case "del-section": case "add-section": keep = q("button[value='add-section']"); break;
          case "preview": keep = focus = q("button[value='preview']"); break;
          }
          if (keep) { window.scrollBy(0, keep.getBoundingClientRect().top - before); }
          if (focus) { focus.focus({ preventScroll: true }); }
          keepDraft();
        })
        .catch(function () { btn.form.requestSubmit ? btn.form.requestSubmit(btn) : btn.form.submit(); });
    });
    // Keyboard: Ctrl+S (or ⌘S) saves; Alt+Enter in a paragraph adds one after
    // the last of its section.
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "s") {
        e.preventDefault();
        var save = editor.querySelector("button[value=save]:not(.offscreen)");
        if (save) { save.click(); }
      }
      // Enter in a new section's heading adds the section: the form's
      // default button is Save, which dropped the heading typed.
      if (e.key === "Enter" && !e.altKey && e.target.id === "new_heading") {
        var addSection = editor.querySelector("button[value='add-section']");
        if (addSection) { e.preventDefault(); addSection.click(); }
      }
      if (e.altKey && e.key === "Enter" && e.target.matches && e.target.matches("textarea")) {
        var fs = e.target.closest("fieldset");
        var add = fs && fs.querySelector("button[value^='add-para:']");
        if (add) { e.preventDefault(); add.click(); }
      }
    });
    // Enter's keypress too, which a form takes as its default button's press
    // when a keydown's default was not enough to stop it.
    document.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && e.target.id === "new_heading") { e.preventDefault(); }
    });
    // Whether a draft's paragraphs stand where they stood when it was
    // typed: each paragraph id it holds (a new paragraph has none yet) is
    // the page's at the same place. One kept in this browser that does not
    // (a paragraph marked above the reader since, moved, deleted, or added
    // in a working copy the page does not show) is not offered and is
    // removed; the server's copy, if the writer's changes reached it, is
    // offered instead, opened whole.
    var lines = function (kept) {
      return !kept || !kept.fields || Object.keys(kept.fields).every(function (n) {
        return !isID(n) || !kept.fields[n] || loaded[n] === kept.fields[n];
      });
    };
    // The note above the editor that offers a kept draft back: what it is,
    // the way to take it up (take), and "Discard it", which forgets it.
    var draftNote = function (text, take, forget) {
      var note = document.createElement("div");
      note.className = "flash warning";
      note.id = "draft-note";
      note.setAttribute("role", "status");
      note.textContent = text;
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "secondary";
      drop.textContent = "Discard it";
      drop.addEventListener("click", function () { forget(); note.remove(); });
      note.appendChild(take);
      note.appendChild(document.createTextNode(" "));
      note.appendChild(drop);
      editor.parentNode.insertBefore(note, editor);
      return note;
    };
    var keptAt = function (kept) { return String(kept.at).slice(0, 16).replace("T", " ") + " UTC"; };
    // Offers a kept draft back, if it holds anything typed that the page
    // does not: each field put back in its place (the sections and paragraph
    // ids a draft also holds stay the page's own). A copy from this browser
    // offers only what was typed, its fields that differ from the base they
    // were typed against; one someone else has changed since, the note says
    // so. With nothing to offer the draft is forgotten (or dropped, if drop
    // is given), except on a page that shows a working copy: an equal draft
    // is that working copy, and it is kept.
    var offer = function (kept, where, forget, drop) {
      var names = kept && kept.fields ? Object.keys(kept.fields).filter(function (n) {
        return !isID(n) && Object.prototype.hasOwnProperty.call(loaded, n) && editor.elements[n] && kept.fields[n] !== loaded[n] &&
          (!kept.base || kept.fields[n] !== kept.base[n]);
      }) : [];
      if (!names.length) { if (!unsaved) { (drop || forget)(); } return false; }
      var changed = kept.base ? names.filter(function (n) {
        return Object.prototype.hasOwnProperty.call(kept.base, n) && kept.base[n] !== null && kept.base[n] !== loaded[n];
      }).length : 0;
      var restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "Put it back";
      var note = draftNote(where + " kept unsaved text of yours from " + keptAt(kept) + " (" + names.length + " field(s)). " +
        (changed ? changed + " of them someone else has changed since you typed: putting it back replaces what they saved there. " : ""),
        restore, forget);
      restore.addEventListener("click", function () {
        names.forEach(function (n) { editor.elements[n].value = kept.fields[n]; });
        note.remove();
        update();
        keepDraft();
      });
      return true;
    };
    var forgetServer = function () {
      if (window.fetch) {
        fetch("/api/v1/sheets/" + encodeURIComponent(sheetID) + "/draft", { method: "DELETE", credentials: "same-origin" }).catch(function () {});
      }
    };
    // Whether this page is the one a save of the form came back in: the
    // editor as saved (no working copy, no refusal), at a version newer
    // than the one the form was sent at, with the save's message.
    var savedPage = function (sent) {
      return !unsaved && !document.getElementById("editor-error") && version > +sent.version &&
        Array.prototype.some.call(document.querySelectorAll(".flash"), function (f) { return /^\s*Saved\b/.test(f.textContent); });
    };
    var offered = false;
    try {
      var local = key ? JSON.parse(window.localStorage.getItem(key) || "null") : null;
      // A copy kept before each field kept its base cannot tell what was
      // typed from what was merely on the page: it goes (the server's
      // copy, if any, is offered instead).
      if (!lines(local) || (local && !local.base)) {
        window.localStorage.removeItem(key); // key is set: local came from it
        local = null;
      }
      if (local) {
        var sent = local.sent;
        delete local.sent;
        Object.keys(local.fields).forEach(function (n) {
          if (isID(n)) { return; }
          var v = local.fields[n];
          var gone = v === local.base[n] || // typed back to what it was
            (sent && savedPage(sent) && sent.fields && v === sent.fields[n]) || // saved
            (!unsaved && v === loaded[n]); // what the page shows: saved, by this writer or another
          if (gone) {
            delete local.fields[n];
            delete local.base[n];
          } else if (unsaved && v === loaded[n]) {
            base[n] = local.base[n]; // the page shows it unsaved: still typed against its base
          }
        });
        if (Object.keys(local.base).length) {
          window.localStorage.setItem(key, JSON.stringify(local));
        } else {
          window.localStorage.removeItem(key);
          local = null;
        }
      }
      // Discarded, the server's copy goes too (the same draft, kept there
      // as well); one that holds nothing this page can take (paragraphs
      // added since the page was given) goes alone: the server's copy may
      // still open whole.
      var forgetLocal = function () { if (key) { window.localStorage.removeItem(key); } };
      offered = offer(local, "This browser", function () {
        forgetLocal();
        if (local && !unsaved) { forgetServer(); }
      }, forgetLocal);
    } catch (e) { /* no storage */ }
    // The server's draft of a sheet that changed around it since (its
    // paragraphs no longer stand where they stood, or are not as many, or
    // someone saved the sheet after it was typed) is not put back field by
    // field, which would put its words into other paragraphs, or put back
    // what the writer never typed over what someone else saved since (the
    // draft holds every field of the form): it is opened whole, as the
    // working copy it is, and a save merges it with what changed, paragraph
    // by paragraph, against the version it was typed at.
    // A draft of the version the page shows was typed over a sheet nobody
    // has saved since: what moved its paragraphs is the writer's own doing.
    var offerWhole = function (kept) {
      var open = document.createElement("a");
      open.id = "draft-open";
      open.href = "/sheets/" + encodeURIComponent(sheetID) + "/edit?working=1";
      open.textContent = "Open it as your working copy";
      var why = +kept.version === version ? ", with paragraphs you added, moved or deleted. " : ", typed before the sheet changed around it. ";
      draftNote("The server kept unsaved text of yours from " + keptAt(kept) + why, open, forgetServer);
    };
    // Whether a draft has the page's sections and paragraphs, as many of
    // each (a paragraph added or deleted in it, or in the sheet since, and it
    // has not).
    var sameShape = function (kept) {
      return Object.keys(kept.fields).every(function (n) {
        var el = editor.elements[n];
        return el && (!/(^|\.)n$/.test(n) || el.value === kept.fields[n]);
      });
    };
    // A working copy shown is the writer's newest: the server's draft is no newer.
    if (!offered && !unsaved && window.fetch) {
      fetch("/api/v1/sheets/" + encodeURIComponent(sheetID) + "/draft", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) { return; }
          if (+d.version === version && lines(d) && sameShape(d)) { offer(d, "The server", forgetServer); } else { offerWhole(d); }
        })
        .catch(function () {});
    }
  }

  // Drag to reorder the agenda; the move buttons remain for the keyboard.
  var agenda = document.querySelector("ol.agenda[data-reorder]");
  if (agenda) {
    var dragged = null;
    agenda.querySelectorAll("li").forEach(function (li) {
      li.draggable = true;
      li.addEventListener("dragstart", function () { dragged = li; li.classList.add("dragging"); });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); });
      li.addEventListener("dragover", function (e) { e.preventDefault(); });
      li.addEventListener("drop", function (e) {
        e.preventDefault();
        if (!dragged || dragged === li) { return; }
        var items = Array.prototype.slice.call(agenda.children);
        var order = items.map(function (x) { return x.getAttribute("data-id"); });
        var from = order.indexOf(dragged.getAttribute("data-id"));
        var to = order.indexOf(li.getAttribute("data-id"));
        order.splice(to, 0, order.splice(from, 1)[0]);
        var form = document.getElementById("agenda-order");
        form.querySelector("input[name=order]").value = order.join(",");
        form.submit();
      });
    });
  }

  // Signing out removes the drafts this browser kept: on a shared machine,
  // nothing typed stays behind the person who chose to leave.
  document.querySelectorAll('form[action="/logout"]').forEach(function (f) {
    f.addEventListener("submit", function () {
      try {
        Object.keys(window.localStorage).forEach(function (k) {
          if (k.indexOf("briefpack-draft:") === 0) { window.localStorage.removeItem(k); }
        });
      } catch (e) { /* no storage */ }
    });
  });

  // A form sent is sent once: until the answer comes its buttons wait, and
  // the one pressed says what is being done (a freeze or an import of a
  // thousand sheets takes seconds, and a second press would send it again).
  // The editor sends its own way. A page shown again from the browser's
  // history has its buttons back.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (e.defaultPrevented || !f.matches || !f.matches("form[method=post]") || f.matches("form.sheet-editor")) { return; }
    var pressed = e.submitter;
    window.setTimeout(function () { // after the form has read the button pressed
      f.setAttribute("aria-busy", "true");
      f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      if (pressed && f.hasAttribute("data-busy")) { pressed.textContent = f.getAttribute("data-busy"); }
    }, 0);
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    document.querySelectorAll("form[aria-busy]").forEach(function (f) {
      f.removeAttribute("aria-busy");
      f.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });

  // A message about a field: the page goes to the first one, beside its
  // field, which has the focus: the field the message describes, else the
  // one marked invalid beside it, else the first beside it (a form's first
  // field, Number, once took the focus from Ends on, the one at fault).
  var firstError = document.querySelector(".field-error, .conflict-choice");
  if (firstError && firstError.scrollIntoView) {
    firstError.scrollIntoView({ block: "center" });
    var described = firstError.id && window.CSS && CSS.escape && document.querySelector('[aria-describedby~="' + CSS.escape(firstError.id) + '"]');
    var near = firstError.parentNode;
    var field = described || (near && (near.querySelector(".invalid") || near.querySelector("textarea, input:not([type=hidden])")));
    if (field && field.focus) { field.focus({ preventScroll: true }); }
  }

  // Confirm before destructive buttons, those put in place later included:
  // asked before anything else hears the click.
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  // Who else has this sheet open. The page names them as it was given; the
  // server is then asked to answer once that is no longer so (someone opens
  // the sheet, or has not been seen for minutes), holding the question up
  // to a minute, and asked again on each answer: someone who opens the
  // sheet is named here within a moment, and an open editor costs about a
  // request a minute. A page out of sight (another tab) holds no question,
  // which would hold one of the few connections a browser opens to a
  // server: it asks once a minute, and again as soon as it is seen. Refused,
  // or unanswered, it asks again a minute on.
  var presence = document.getElementById("presence");
  if (presence && presence.getAttribute("data-sheet") && window.fetch) {
    var sheet = presence.getAttribute("data-sheet");
    var known = [];
    try { known = JSON.parse(presence.getAttribute("data-present") || "[]"); } catch (e) { /* none known */ }
    var held = null; // the question held, to let go of when the page goes out of sight
    var next = null;
    var asks = 0; // only the last question's answer asks the next: one question at a time
    var later = function (ms) { window.clearTimeout(next); next = window.setTimeout(ask, ms); };
    var ask = function () {
      window.clearTimeout(next);
      var asked = Date.now(), hold = !document.hidden, n = ++asks;
      var mine = hold && window.AbortController ? new AbortController() : null;
      if (held) { held.abort(); }
      held = mine;
      var query = hold ? "?wait=1" + known.map(function (name) { return "&known=" + encodeURIComponent(name); }).join("") : "";
      fetch("/api/v1/sheets/" + encodeURIComponent(sheet) + "/presence" + query,
        { method: "POST", credentials: "same-origin", signal: mine ? mine.signal : undefined })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (n !== asks) { return; }
          held = null;
          if (!body) { later(60000); return; }
          known = body.items.map(function (p) { return p.user; });
          var names = body.items.map(function (p) { return p.user + " (seen " + p.at.slice(11, 16) + " UTC)"; });
          presence.textContent = names.length ? "Also open by " + names.join(", ") + ": save often; edits to different paragraphs merge." : "";
          // Never sooner than a few seconds after the last question, whatever the answer.
          later(hold && !document.hidden ? Math.max(0, 3000 - (Date.now() - asked)) : 60000);
        })
        .catch(function () {
          if (n !== asks) { return; }
          held = null;
          later(60000);
        });
    };
    // Closed (a closed tab, a link followed, a reload or a save), the
    // editor says so, and the others are told at once rather than when its
    // record grows stale, some minutes on. A page that comes back (a
    // reload, a save, Back) is there again with its first question.
    window.addEventListener("pagehide", function () {
      asks++; // the answer of a question still held asks nothing
      window.clearTimeout(next);
      try {
        fetch("/api/v1/sheets/" + encodeURIComponent(sheet) + "/presence?leave=1",
          { method: "POST", credentials: "same-origin", keepalive: true }).catch(function () {});
      } catch (e) { /* the record grows stale instead */ }
    });
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) { ask(); } // back from the browser's cache: there again
    });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && held) {
        asks++; // its answer, or its end, asks nothing
        held.abort();
        held = null;
        later(60000);
      } else if (!document.hidden && !held) {
        ask();
      }
    });
    ask();
  }
})();
