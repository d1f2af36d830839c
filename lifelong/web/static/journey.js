// Players of the learning journey: report progress to the API; the server applies the rules.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player || !player.dataset.resource) { return; }
  var kind = player.dataset.kind;
  var base = "/api/v1/enrolments/" + player.dataset.resource;
  var messages = document.getElementById("player-messages").dataset;

  function show(enrolment) {
    var percent = Math.round(enrolment.progress * 100);
    document.getElementById("progress-bar").style.width = percent + "%";
    document.getElementById("progress-text").textContent = messages.progress.replace("{p}", percent);
    if (enrolment.completed_at) {
      document.getElementById("completed").hidden = false;
      if (enrolment.certificate_id) {
        document.getElementById("certificate-link").href = "/certificates/" + enrolment.certificate_id;
      }
    }
  }

  var queue = Promise.resolve();
  function send(path, body) {
    // Reports go one after another, in order, so the server sees intervals as played.
    queue = queue.then(function () {
      return fetch(base + path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body || {})
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) { show(data.enrolment || data); player.dataset.saved = "1"; })
        .catch(function () { document.getElementById("progress-text").textContent = messages.error; });
    });
    return queue;
  }

  send("/launch");

  if (kind === "video") {
    var length = Number(player.dataset.length);
    var position = Number(player.dataset.position) || 0;
    if (position >= length) { position = 0; }
    var from = position;
    var report = function (to) {
      if (to > from) { send("/progress", { played_from: from, played_to: to }); }
      from = to;
    };
    var video = document.getElementById("video");
    if (video) {
      video.addEventListener("loadedmetadata", function () { video.currentTime = position; });
      video.addEventListener("timeupdate", function () {
        if (video.currentTime - from >= 5) { report(video.currentTime); }
      });
      video.addEventListener("seeking", function () { from = video.currentTime; });
      video.addEventListener("pause", function () { report(video.currentTime); });
      video.addEventListener("ended", function () { report(video.currentTime); });
    } else {
      var clock = document.getElementById("clock");
      var play = document.getElementById("play");
      var pause = document.getElementById("pause");
      var timer = null;
      var draw = function () {
        var s = Math.floor(position);
        clock.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      };
      draw();
      play.addEventListener("click", function () {
        play.hidden = true; pause.hidden = false; from = position;
        timer = setInterval(function () {
          position = Math.min(position + 1, length);
          draw();
          if (position - from >= 5 || position >= length) { report(position); }
          if (position >= length) { clearInterval(timer); play.hidden = false; pause.hidden = true; }
        }, 1000);
      });
      pause.addEventListener("click", function () {
        clearInterval(timer); play.hidden = false; pause.hidden = true; report(position);
      });
    }
  }

  if (kind === "document") {
    var body = document.getElementById("document-body");
    var best = Number(player.dataset.read) || 0;
    var sent = best;
    var started = Date.now();
    var measure = function () {
      var box = body.getBoundingClientRect();
      var seen = (window.innerHeight - box.top) / Math.max(box.height, 1);
      return Math.max(0, Math.min(1, seen));
    };
    var update = function () {
      best = Math.max(best, measure());
      if (best >= 0.999 || best - sent >= 0.1) {
        var seconds = Math.round((Date.now() - started) / 1000);
        started = Date.now();
        sent = best;
        send("/progress", { read_fraction: best >= 0.999 ? 1 : best, seconds: seconds });
      }
    };
    window.addEventListener("scroll", function () { window.requestAnimationFrame(update); }, { passive: true });
    update();
  }
})();
