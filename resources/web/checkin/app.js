// The tablet's check-in page (served by the shop's PC at /checkin): plain JavaScript, no
// framework, nothing loaded from elsewhere. The sentences come from the app's catalogues
// (/checkin/texts); the device token from pairing stays in this browser's localStorage.
"use strict";

const TOKEN_KEY = "dangol.tablet.token";
const POLL_MS = 1500; // how often the page asks whether the counter recorded the sale
const MOMENT_MS = 8000; // how long the moment of a sale stays before the prompt
const STATUS_MS = 5000; // how often an "off" or unreachable page asks again
const MAX_DIGITS = 11;

const state = {
  lang: defaultLanguage(),
  texts: {},
  token: localStorage.getItem(TOKEN_KEY),
  status: null,
  typed: { pair: "", number: "" },
  phone: "", // the full number typed for joining, kept only until the screen resets
  visit: null, // the handle of the check-in on screen
  checkin: null, // the same handle, kept after the moment: the counter may still offer the wallet
  walletAt: null, // when the save link shown was made (each link is shown once)
  pendingSale: null, // a sale that came while the wallet's QR was on screen: its moment next
  goal: 0, // the stamp card's goal of the member on screen
  back: null, // the screen the wallet's QR came over
  rating: null, // the handle of the visit whose rating is asked after the moment
  score: null, // the score tapped on the rating screen
  screen: "loading",
  idleMs: 30000,
  timers: { idle: null, poll: null, moment: null, status: null },
};

function defaultLanguage() {
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || "ko";
  return first.toLowerCase().startsWith("en") ? "en" : "ko";
}

// --- texts ---------------------------------------------------------------------------------

function t(key, params) {
  const template = state.texts[key] || key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    params && name in params ? String(params[name]) : whole,
  );
}

function won(n) {
  return Number(n).toLocaleString(state.lang === "ko" ? "ko-KR" : "en-US");
}

async function loadTexts() {
  const answer = await fetch(`/checkin/texts?lang=${state.lang}`, { cache: "no-store" });
  state.texts = (await answer.json()).texts;
  document.documentElement.lang = state.lang;
  document.title = t("tabletweb.title");
  for (const node of document.querySelectorAll("[data-text]")) {
    node.textContent = t(node.dataset.text);
  }
  for (const pad of document.querySelectorAll(".keypad")) buildKeypad(pad);
  buildScores();
  const maximum = (state.status && state.status.comment_max) || 200;
  const comment = document.getElementById("rating-comment");
  comment.maxLength = maximum;
  comment.placeholder = t("rating.comment_hint", { maximum });
  document.getElementById("language").textContent = t("tabletweb.language");
  renderEntry("pair");
  renderEntry("number");
  showNotice();
}

// --- the server --------------------------------------------------------------------------

async function call(method, path, body) {
  const headers = { "Accept-Language": state.lang };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let answer;
  try {
    answer = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (failure) {
    return { ok: false, offline: true, data: { message: t("tabletweb.offline") } };
  }
  const data = await answer.json().catch(() => ({}));
  if (answer.status === 401 && data.error === "token.unknown") unpaired();
  if (answer.status === 403 && data.error === "tablet.off") switchedOff();
  return { ok: answer.ok, status: answer.status, data };
}

function unpaired() {
  state.token = null;
  localStorage.removeItem(TOKEN_KEY);
  resetTyped();
  show("pair");
  say("pair-error", t("tabletweb.unpaired"));
}

function switchedOff() {
  show("off");
  watchStatus();
}

async function refreshStatus() {
  const answer = await call("GET", "/checkin/status");
  if (answer.offline) {
    showNotice(t("tabletweb.offline"));
    watchStatus();
    return;
  }
  state.status = answer.data;
  state.idleMs = 1000 * (state.status.idle_seconds || 30);
  document.getElementById("store").textContent = state.status.store || "";
  showNotice();
  if (!state.status.enabled) return switchedOff();
  clearTimeout(state.timers.status);
  if (!state.token || state.status.paired === false) {
    if (state.token) unpaired();
    else show("pair");
    return;
  }
  if (state.screen === "loading" || state.screen === "off" || state.screen === "pair") {
    reset();
  }
}

function watchStatus() {
  clearTimeout(state.timers.status);
  state.timers.status = setTimeout(refreshStatus, STATUS_MS);
}

function showNotice(text) {
  const notice = document.getElementById("notice");
  const message = text || (state.status && !state.status.lan ? t("tabletweb.local_only") : "");
  notice.textContent = message;
  notice.hidden = !message;
}

// --- screens -------------------------------------------------------------------------------

function show(name) {
  state.screen = name;
  for (const section of document.querySelectorAll("main > .screen")) {
    section.hidden = section.id !== `screen-${name}`;
  }
  document.body.dataset.screen = name;
  touched();
}

function say(id, text) {
  const node = document.getElementById(id);
  node.textContent = text || "";
  node.hidden = !text;
}

function resetTyped() {
  state.typed.pair = "";
  state.typed.number = "";
  renderEntry("pair");
  renderEntry("number");
}

// Back to the prompt: nothing of the last customer stays on the page.
function reset() {
  for (const name of ["poll", "moment"]) clearTimeout(state.timers[name]);
  state.visit = null;
  state.checkin = null;
  state.walletAt = null;
  state.pendingSale = null;
  state.rating = null;
  clearRating();
  clearWallet();
  state.phone = "";
  resetTyped();
  for (const id of ["prompt-error", "join-error", "pair-error"]) say(id, "");
  document.getElementById("choices").replaceChildren();
  for (const id of ["member-welcome", "member-phone", "member-points", "unknown-phone"]) {
    document.getElementById(id).textContent = "";
  }
  clearConsents();
  if (state.lang !== defaultLanguage()) {
    state.lang = defaultLanguage();
    loadTexts();
  }
  show("prompt");
}

// Any touch keeps the screen; idle for the owner's seconds, it goes back to the prompt.
function touched() {
  clearTimeout(state.timers.idle);
  const idle = state.screen !== "prompt" || state.typed.number !== "";
  if (idle && !["pair", "off", "loading"].includes(state.screen)) {
    state.timers.idle = setTimeout(reset, state.idleMs);
  }
}

// --- the keypad ------------------------------------------------------------------------------

function buildKeypad(pad) {
  const target = pad.dataset.target;
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"];
  pad.replaceChildren();
  for (const key of keys) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "key";
    button.dataset.key = key;
    if (key === "clear") {
      button.textContent = t("tabletweb.clear");
      button.classList.add("small");
    } else if (key === "back") {
      button.textContent = "←";
      button.setAttribute("aria-label", t("tabletweb.back"));
    } else {
      button.textContent = key;
    }
    button.addEventListener("click", () => pressed(target, key));
    pad.appendChild(button);
  }
  const ok = document.createElement("button");
  ok.type = "button";
  ok.className = "key ok";
  ok.dataset.key = "ok";
  ok.textContent = t(pad.dataset.ok);
  ok.addEventListener("click", () => (target === "pair" ? sendCode() : lookUp()));
  pad.appendChild(ok);
}

function pressed(target, key) {
  const limit = target === "pair" ? 6 : MAX_DIGITS;
  let typed = state.typed[target];
  if (key === "clear") typed = "";
  else if (key === "back") typed = typed.slice(0, -1);
  else if (typed.length < limit) typed += key;
  state.typed[target] = typed;
  say(target === "pair" ? "pair-error" : "prompt-error", "");
  renderEntry(target);
  touched();
}

// What the customer typed, as others in the shop may see it: the middle digits hidden.
function masked(digits) {
  if (digits.length <= 4) return digits;
  const shown = digits.split("").map((d, i) => (i >= 3 && i < 7 ? "•" : d));
  const head = shown.slice(0, 3).join("");
  const middle = shown.slice(3, 7).join("");
  const tail = shown.slice(7).join("");
  return [head, middle, tail].filter(Boolean).join("-");
}

function renderEntry(target) {
  const node = document.getElementById(target === "pair" ? "pair-code" : "number");
  const typed = state.typed[target];
  node.textContent = target === "pair" ? typed.padEnd(6, "·") : masked(typed) || "\u00a0";
}

// --- pairing -------------------------------------------------------------------------------

async function sendCode() {
  const answer = await call("POST", "/checkin/pair", { code: state.typed.pair });
  if (!answer.ok) {
    state.typed.pair = "";
    renderEntry("pair");
    return say("pair-error", answer.data.message);
  }
  state.token = answer.data.token;
  localStorage.setItem(TOKEN_KEY, state.token);
  await refreshStatus();
  say("prompt-error", "");
  reset();
}

// --- checking in -----------------------------------------------------------------------------

async function lookUp() {
  const number = state.typed.number;
  if (!number) return;
  const answer = await call("POST", "/checkin/lookup", { number });
  if (!answer.ok) {
    if (state.screen === "prompt") say("prompt-error", answer.data.message);
    return;
  }
  state.phone = number.length > 4 ? number : "";
  shown(answer.data);
}

function shown(data) {
  if (data.kind === "member") return showMember(data);
  if (data.kind === "choices") return showChoices(data.choices);
  if (data.kind === "unknown") return showUnknown(data);
}

function showMember(data) {
  state.typed.number = "";
  state.visit = data.visit;
  state.checkin = data.visit;
  state.walletAt = null;
  state.pendingSale = null;
  state.goal = data.stamp_goal;
  const welcome = data.enrolled ? t("tabletweb.joined") : "";
  const greeting = data.initial
    ? t("tabletweb.welcome", { initial: data.initial })
    : t("tabletweb.welcome_anonymous");
  document.getElementById("member-welcome").textContent = welcome || greeting;
  document.getElementById("member-phone").textContent = data.phone_masked;
  document.getElementById("member-points").textContent = t("tabletweb.points", {
    points: won(data.points),
  });
  drawStamps("member-stamps", data.stamps_enabled ? data.stamps : 0, data.stamp_goal);
  document.getElementById("member-stamps").hidden = !data.stamps_enabled;
  const stampsText = document.getElementById("member-stamps-text");
  stampsText.textContent = t("tabletweb.stamps", { n: data.stamps, goal: data.stamp_goal });
  stampsText.hidden = !data.stamps_enabled;
  say(
    "member-reward",
    data.rewards_ready > 0
      ? t("tabletweb.reward_ready", { n: data.rewards_ready, reward: data.stamp_reward })
      : "",
  );
  say("member-coupons", data.coupons > 0 ? t("tabletweb.coupons", { n: data.coupons }) : "");
  show("member");
  if (data.sale) {
    state.visit = null;
    showMoment(data.sale, data.stamp_goal);
  }
  poll(data.stamp_goal);
}

// The card in progress: `filled` stamps, the last `fresh` of them just added by the sale.
function drawStamps(id, filled, goal, fresh = 0) {
  const row = document.getElementById(id);
  row.replaceChildren();
  for (let i = 0; i < goal; i++) {
    const dot = document.createElement("span");
    dot.className = i < filled ? (i >= filled - fresh ? "stamp new" : "stamp on") : "stamp";
    row.appendChild(dot);
  }
}

// The screens of a checked-in member: the counter may record their sale or offer the wallet.
const VISIT_SCREENS = ["member", "moment", "rating", "wallet"];

// While the member is on screen: has the counter recorded their sale, or pressed 지갑에 추가?
function poll(goal) {
  clearTimeout(state.timers.poll);
  state.timers.poll = setTimeout(async () => {
    if (!VISIT_SCREENS.includes(state.screen) || !state.checkin) return;
    const visit = state.checkin;
    const answer = await call("GET", `/checkin/moment?visit=${encodeURIComponent(visit)}`);
    if (state.checkin !== visit || !VISIT_SCREENS.includes(state.screen)) return;
    if (!answer.ok) {
      if (answer.offline) poll(goal);
      return; // the visit is over (its handle expired): nothing more to wait for
    }
    const { sale, wallet } = answer.data;
    if (wallet && wallet.at !== state.walletAt) showWallet(wallet);
    if (sale && state.visit) {
      state.visit = null; // the moment once
      if (state.screen === "wallet") state.pendingSale = sale;
      else showMoment(sale, goal);
    }
    poll(goal);
  }, POLL_MS);
}

// 지갑에 추가 at the counter: the save link as a QR for the member's phone, and as a button
// for when this screen is the member's own phone.
function showWallet(wallet) {
  state.walletAt = wallet.at;
  clearTimeout(state.timers.moment); // the QR stays until tapped away or the idle seconds
  const qr = document.getElementById("wallet-qr");
  qr.src = wallet.qr;
  qr.hidden = false;
  const open = document.getElementById("wallet-open");
  open.href = wallet.url;
  open.hidden = false;
  state.back = state.screen === "wallet" ? state.back : state.screen;
  show("wallet");
}

function clearWallet() {
  const qr = document.getElementById("wallet-qr");
  qr.removeAttribute("src");
  qr.hidden = true;
  const open = document.getElementById("wallet-open");
  open.removeAttribute("href");
  open.hidden = true;
}

// The member is done with the QR: the sale's moment that waited, else where the page was.
function walletDone() {
  clearWallet();
  const sale = state.pendingSale;
  state.pendingSale = null;
  if (sale) return showMoment(sale, state.goal);
  if (state.back === "member" || state.back === "rating") return show(state.back);
  endMoment(); // it came over the moment: the rating when asked, else the prompt
}

function showMoment(sale, goal) {
  document.getElementById("moment-points").textContent = t("tabletweb.sale_points", {
    points: won(sale.points_earned),
  });
  say(
    "moment-stamps",
    sale.stamps_added > 0
      ? t("tabletweb.sale_stamp", {
          n: sale.stamps_added,
          on_card: sale.stamps_on_card,
          goal: sale.stamp_goal || goal,
        })
      : "",
  );
  say(
    "moment-reward",
    sale.rewards_ready > 0
      ? t("tabletweb.reward_ready", { n: sale.rewards_ready, reward: sale.stamp_reward || "" })
      : "",
  );
  const stampGoal = sale.stamp_goal || goal;
  drawStamps("moment-stamp-row", sale.stamps_on_card, stampGoal, sale.stamps_added);
  document.getElementById("moment-stamp-row").hidden = !(sale.stamps_added > 0 && stampGoal);
  say("moment-balance", t("tabletweb.balance", { points: won(sale.points) }));
  show("moment");
  state.rating = sale.ask_rating ? state.checkin : null;
  state.visit = null;
  clearTimeout(state.timers.moment);
  state.timers.moment = setTimeout(endMoment, MOMENT_MS);
}

// After the moment: the visit's rating when the shop asks this sale, else the prompt.
function endMoment() {
  if (!state.rating) return reset();
  clearRating();
  show("rating");
}

// --- the visit's rating ----------------------------------------------------------------------

// Eleven scores 0–10, one neutral colour: the screen does not judge (two rows when narrow).
function buildScores() {
  const row = document.getElementById("scores");
  row.replaceChildren();
  for (let score = 0; score <= 10; score++) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "score";
    button.dataset.score = String(score);
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", String(state.score === score));
    button.textContent = String(score);
    if (state.score === score) button.classList.add("chosen");
    button.addEventListener("click", () => chooseScore(score));
    row.appendChild(button);
  }
}

function chooseScore(score) {
  state.score = score;
  for (const button of document.querySelectorAll("#scores .score")) {
    const chosen = button.dataset.score === String(score);
    button.classList.toggle("chosen", chosen);
    button.setAttribute("aria-checked", String(chosen));
  }
  document.getElementById("rating-send").disabled = false;
  say("rating-error", "");
  touched();
}

function clearRating() {
  state.score = null;
  for (const button of document.querySelectorAll("#scores .score")) {
    button.classList.remove("chosen");
    button.setAttribute("aria-checked", "false");
  }
  document.getElementById("rating-comment").value = "";
  document.getElementById("rating-send").disabled = true;
  say("rating-error", "");
  const qr = document.getElementById("review-qr");
  qr.removeAttribute("src");
  qr.hidden = true;
  document.getElementById("review-note").hidden = true;
}

async function sendRating() {
  if (state.score === null || !state.rating) return;
  const comment = document.getElementById("rating-comment").value.trim();
  const body = { visit: state.rating, score: state.score, comment: comment || null };
  const answer = await call("POST", "/checkin/rate", body);
  if (answer.offline || (answer.status === 422 && answer.data.error === "rating.comment_long")) {
    return say("rating-error", answer.data.message); // the customer may try again
  }
  if (!answer.ok) return reset(); // already rated, too late: back to the prompt
  state.rating = null;
  const qr = document.getElementById("review-qr");
  const promoter = state.score >= 9 && Boolean(answer.data.review_qr);
  if (promoter) qr.src = answer.data.review_qr;
  qr.hidden = !promoter;
  document.getElementById("review-note").hidden = !promoter;
  show("thanks");
  clearTimeout(state.timers.moment);
  state.timers.moment = setTimeout(reset, MOMENT_MS); // the thanks stays as long as a moment
}

function showChoices(choices) {
  const list = document.getElementById("choices");
  list.replaceChildren();
  for (const choice of choices) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.textContent = choice.initial
      ? `${choice.phone_masked}  ·  ${choice.initial}`
      : choice.phone_masked;
    button.addEventListener("click", async () => {
      const answer = await call("POST", "/checkin/choose", { choice: choice.choice });
      if (answer.ok) return shown(answer.data);
      reset();
      say("prompt-error", answer.data.message);
    });
    list.appendChild(button);
  }
  state.typed.number = "";
  show("pick");
}

function showUnknown(data) {
  state.typed.number = "";
  document.getElementById("unknown-phone").textContent = data.phone_masked || "";
  const canJoin = Boolean(data.can_join && state.phone);
  document.getElementById("unknown-offer").hidden = !canJoin;
  document.getElementById("unknown-no-join").hidden = canJoin || !data.phone_masked;
  document.getElementById("join-yes").hidden = !canJoin;
  show("unknown");
}

// --- joining -----------------------------------------------------------------------------------

async function openJoin() {
  const answer = await call("GET", "/checkin/consents");
  if (!answer.ok) return reset();
  clearConsents();
  document.getElementById("consent-program-text").textContent = answer.data.program;
  document.getElementById("consent-marketing-text").textContent = answer.data.marketing;
  const channels = document.getElementById("consent-channels");
  channels.replaceChildren();
  for (const channel of answer.data.channels) {
    const label = document.createElement("label");
    label.className = "consent small";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `consent-channel-${channel}`;
    box.dataset.channel = channel;
    const text = document.createElement("span");
    text.textContent = t(`consent.channel.${channel}`);
    label.append(box, text);
    channels.appendChild(label);
  }
  show("join");
}

// Nothing is ticked for the customer: every box starts empty.
function clearConsents() {
  for (const box of document.querySelectorAll("#screen-join input[type=checkbox]")) {
    box.checked = false;
  }
  consentsChanged();
}

function consentsChanged() {
  const marketing = document.getElementById("consent-marketing").checked;
  const more = document.getElementById("consent-more");
  more.disabled = !marketing;
  if (!marketing) {
    for (const box of more.querySelectorAll("input[type=checkbox]")) box.checked = false;
  }
  document.getElementById("join-button").disabled =
    !document.getElementById("consent-program").checked;
  say("join-error", "");
  touched();
}

async function join() {
  const channels = {};
  for (const box of document.querySelectorAll("#consent-channels input")) {
    channels[box.dataset.channel] = box.checked;
  }
  const consents = {
    program: document.getElementById("consent-program").checked,
    marketing: document.getElementById("consent-marketing").checked,
    channels,
    night: document.getElementById("consent-night").checked,
  };
  const answer = await call("POST", "/checkin/join", { phone: state.phone, consents });
  if (!answer.ok) return say("join-error", answer.data.message);
  state.phone = "";
  shown(answer.data);
}

// --- start -----------------------------------------------------------------------------------

function wire() {
  document.getElementById("language").addEventListener("click", () => {
    state.lang = state.lang === "ko" ? "en" : "ko";
    loadTexts();
    touched();
  });
  document.getElementById("member-done").addEventListener("click", reset);
  document.getElementById("wallet-done").addEventListener("click", walletDone);
  document.getElementById("rating-send").addEventListener("click", sendRating);
  document.getElementById("rating-skip").addEventListener("click", reset);
  document.getElementById("rating-comment").addEventListener("input", touched);
  document.getElementById("join-yes").addEventListener("click", openJoin);
  document.getElementById("join-button").addEventListener("click", join);
  for (const button of document.querySelectorAll(".restart")) {
    button.addEventListener("click", reset);
  }
  document.getElementById("screen-join").addEventListener("change", consentsChanged);
  document.addEventListener("pointerdown", touched, { passive: true });
}

async function start() {
  try {
    await loadTexts();
  } catch (failure) {
    showNotice("…");
    setTimeout(start, STATUS_MS);
    return;
  }
  await refreshStatus();
}

document.addEventListener("DOMContentLoaded", () => {
  wire();
  start();
});
