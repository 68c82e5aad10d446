// The exam page: a countdown that follows the server's deadline, and the form handed in when it reaches zero.
// The server keeps the real clock: answers after the deadline are refused and the paper is graded as saved.
(function () {
  var clock = document.getElementById("exam-clock");
  if (!clock) return;
  var remaining = parseInt(clock.dataset.remaining, 10);
  var endsAt = Date.now() + remaining * 1000;
  var form = document.getElementById("exam-submit-form");
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    clock.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    if (left <= 60) clock.classList.add("text-danger");
    if (left === 0) {
      clearInterval(timer);
      clock.textContent = "时间到,正在交卷…";
      document.getElementById("exam-auto").value = "1";
      form.submit();
    }
  }
  var timer = setInterval(tick, 1000);
  tick();
})();
