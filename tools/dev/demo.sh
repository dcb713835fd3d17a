# ./iob demo: the whole journey in one command. Sourced by ./iob after
# lib.sh (uses ROOT, BUILD, STATE, log, as_root, iob_random, iob_setup,
# iob_build, iob_up, iob_down, iob_ctl_tls_env, IOB_SERVICES).
#
# Starts the suite and the supplier simulator, then walks the four set-up
# steps an admin does for Amazon Business and one order all the way to a
# matched invoice, narrating each step. Every run uses a fresh tenant, group,
# integration and PO, so it can run again at once. Exits non-zero with the
# reason when a step fails or a wait runs out; stops the suite at the end
# unless --keep (or unless it was running before).

IOB_SIM_PORT=${IOB_SIM_PORT:-8200}
# What the order creator buys at the simulator's shop: SKU=QTY.
IOB_DEMO_ITEMS=("B0SIMPEN12=2" "B0SIMCOFFE=1")
# Bounds of the waits, in seconds.
IOB_DEMO_SHOP_TIMEOUT=${IOB_DEMO_SHOP_TIMEOUT:-90}
IOB_DEMO_ORDER_TIMEOUT=${IOB_DEMO_ORDER_TIMEOUT:-60}
IOB_DEMO_INVOICE_TIMEOUT=${IOB_DEMO_INVOICE_TIMEOUT:-60}

DEMO_OUT=""      # the last demo_ctl / demo_sim answer (JSON)
DEMO_STEP=""     # the step under way, for the failure message
DEMO_DIR=""      # $STATE/demo: the cart page, the last error output
DEMO_MIDLINE=0   # a progress line is open (dots, or the redrawn TTY line)
DEMO_FAILED=0    # demo_fail said why
DEMO_KEEP=0      # --keep
DEMO_WAS_UP=0    # the suite ran before the demo: leave it running
DEMO_STARTED=0   # the demo started the suite: stop it at the end

demo_usage() {
  cat <<'USAGE'
usage: ./iob demo [--approval on|off] [--keep]
  Builds and starts the suite and the supplier simulator, then walks the
  set-up (e-invoicing address, punchout group, credentials, dispatch rule)
  and one order, from a punchout in headless Chromium to its matched invoice.
  --approval off   the integration without workflow approval: the order
                   creator's Purchase button sends the order (default on:
                   an approver approves the requisition first)
  --keep           leave the suite running afterwards (stop it: ./iob down)
USAGE
}

# ---- output -------------------------------------------------------------------

# A terminal gets a progress line redrawn in place; a log gets dots.
demo_tty() { [ -t 1 ]; }
# Ends an open progress line.
demo_clear_line() {
  if [ "$DEMO_MIDLINE" -eq 1 ]; then
    if demo_tty; then printf '\r\033[K'; else echo; fi
  fi
  DEMO_MIDLINE=0
}
demo_step() {
  DEMO_STEP="$1/7 ($2)"
  demo_clear_line
  printf '\n\033[1m[%s/7] %s\033[0m\n' "$1" "$2"
}
# One narration line per argument.
demo_say() {
  demo_clear_line
  printf '      %s\n' "$@"
}
# Ends the demo with MESSAGE (the EXIT trap stops the suite).
demo_fail() {
  demo_clear_line
  printf '\n\033[1;31m[iob demo] FAILED at step %s:\033[0m %s\n' "$DEMO_STEP" "$1" >&2
  DEMO_FAILED=1
  exit 1
}

# HH:MM:SS.mmm (local time) of an RFC 3339 time.
demo_clock() { date -d "$1" +%H:%M:%S.%3N; }
# Seconds from one RFC 3339 time to another: "1.234".
demo_since() {
  local d=$(($(date -d "$2" +%s%3N) - $(date -d "$1" +%s%3N)))
  printf '%d.%03d' $((d / 1000)) $((d % 1000))
}

# ---- talking to the suite and the simulator -----------------------------------

# demo_ctl admin|platform ARGS...: iobctl as that principal, --json; the
# answer goes to DEMO_OUT. Fails the step with iobctl's message.
demo_ctl() {
  local who=$1
  shift
  if ! DEMO_OUT=$("$BUILD/tools/iobctl/iobctl" "$@" --json \
      --token-file "$STATE/secrets/$who.token" 2>"$DEMO_DIR/iobctl.err"); then
    demo_fail "iobctl $1 $2: $(tail -n 3 "$DEMO_DIR/iobctl.err")"
  fi
}

# demo_sim GET|POST PATH [JSON]: the simulator's admin API; the answer goes
# to DEMO_OUT. Fails the step unless it answers 2xx.
demo_sim() {
  local method=$1 path=$2 code
  local args=(-sS -o "$DEMO_DIR/sim.out" -w '%{http_code}' --max-time 10)
  [ "$method" = POST ] && args+=(-H 'Content-Type: application/json' --data-binary "${3:-}")
  code=$(curl "${args[@]}" "http://127.0.0.1:$IOB_SIM_PORT$path" 2>"$DEMO_DIR/sim.err") || code=000
  DEMO_OUT=$(cat "$DEMO_DIR/sim.out" 2>/dev/null || true)
  [[ $code == 2* ]] ||
    demo_fail "simulator $method $path answered HTTP $code: ${DEMO_OUT:-$(cat "$DEMO_DIR/sim.err")}"
}

# jq -r over DEMO_OUT.
demo_jq() { jq -r "$@" <<<"$DEMO_OUT"; }

# demo_wait SECONDS WHAT CHECK: runs the function CHECK every quarter second
# until it returns 0, showing "waiting for WHAT... Ns"; fails the step after
# SECONDS. CHECK may print (demo_say) and may end the demo (demo_fail).
demo_wait() {
  local bound=$1 what=$2 check=$3 start now shown=0
  start=$(date +%s%3N)
  until "$check"; do
    now=$((($(date +%s%3N) - start) / 1000))
    [ "$now" -lt "$bound" ] || demo_fail "gave up waiting for $what after ${bound}s"
    if [ "$now" -gt "$shown" ]; then
      shown=$now
      if demo_tty; then
        printf '\r\033[K      waiting for %s... %ss' "$what" "$now"
      else
        [ "$DEMO_MIDLINE" -eq 1 ] || printf '      waiting for %s ' "$what"
        printf .
      fi
      DEMO_MIDLINE=1
    fi
    sleep 0.25
  done
  demo_clear_line
}

# ---- the suite ----------------------------------------------------------------

demo_running() { [ -f "$STATE/run/$1.pid" ] && kill -0 "$(cat "$STATE/run/$1.pid")" 2>/dev/null; }

# Starts the simulator on IOB_SIM_PORT unless it runs (its pid file sits
# with the services', so ./iob down stops it too), and waits for it.
demo_start_sim() {
  if ! demo_running supplier-sim; then
    : >"$STATE/logs/supplier-sim.log"
    nohup "$BUILD/tools/supplier-sim/iob-supplier-sim" --listen "127.0.0.1:$IOB_SIM_PORT" \
      >>"$STATE/logs/supplier-sim.log" 2>&1 &
    echo $! >"$STATE/run/supplier-sim.pid"
  fi
  for _ in $(seq 1 50); do
    curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$IOB_SIM_PORT/healthz" 2>/dev/null &&
      return 0
    demo_running supplier-sim || demo_fail "the simulator exited (port $IOB_SIM_PORT taken?): \
$(tail -n 2 "$STATE/logs/supplier-sim.log")"
    sleep 0.1
  done
  demo_fail "the simulator did not answer on 127.0.0.1:$IOB_SIM_PORT"
}

# The EXIT trap: says how the run ended and stops what the demo started,
# unless --keep.
demo_finish() {
  local rc=$1
  trap - EXIT
  demo_clear_line
  if [ "$rc" -ne 0 ]; then
    [ "$DEMO_FAILED" -eq 1 ] ||
      printf '\n\033[1;31m[iob demo] FAILED at step %s\033[0m (see above)\n' "$DEMO_STEP" >&2
    echo "[iob demo] logs: $STATE/logs/ (one per service, and supplier-sim.log)" >&2
  fi
  echo
  if [ "$DEMO_KEEP" -eq 1 ]; then
    echo "The suite keeps running (--keep): ./iob status shows it, ./iob down stops it."
  elif [ "$DEMO_WAS_UP" -eq 1 ]; then
    echo "The suite was running before the demo and keeps running; ./iob down stops it."
  elif [ "$DEMO_STARTED" -eq 1 ]; then
    iob_down
  fi
  exit "$rc"
}

# ---- the journey ----------------------------------------------------------------

iob_demo() {
  local approval=on
  while [ $# -gt 0 ]; do
    case $1 in
      --approval) approval=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
      --approval=*) approval=${1#*=}; shift ;;
      --keep) DEMO_KEEP=1; shift ;;
      -h | --help) demo_usage; return 0 ;;
      *) demo_usage >&2; return 2 ;;
    esac
  done
  [[ $approval == on || $approval == off ]] || { demo_usage >&2; return 2; }

  iob_setup
  iob_build
  DEMO_STEP="0/7 (starting the suite)"
  demo_running credentials && DEMO_WAS_UP=1
  DEMO_STARTED=1
  trap 'demo_finish $?' EXIT
  iob_up >/dev/null
  DEMO_DIR=$STATE/demo
  mkdir -p "$DEMO_DIR"
  demo_start_sim
  iob_ctl_tls_env

  # Fresh names per run: the demo can run again at once, and each run's
  # tenant has only its own tile, address, order and invoice.
  local run tenant po integration=amazon sim=http://127.0.0.1:$IOB_SIM_PORT
  run=$(iob_random 3)
  tenant=acme-$run
  po=PO-DEMO-${run^^}
  printf '\n\033[1miob demo\033[0m: Amazon Business set up for tenant %s, and one order to a matched invoice\n' "$tenant"
  echo "(the supplier is iob-supplier-sim at $sim; workflow approval $approval)"

  demo_step 1 "The e-invoicing address"
  demo_ctl admin invoices address --tenant "$tenant"
  local address
  address=$(demo_jq .address)
  demo_sim POST /admin/invoicing "$(jq -nc --arg to "$address" --arg maildir "$STATE/maildir" \
    '{to: $to, maildir: $maildir, pdf: true, cxml: false, authserv_id: "mx.iob.localhost"}')"
  demo_say "iob gives $tenant the address $address;" \
    "the admin pastes it at the supplier as the \"Pay by Invoice\" address. Its invoices" \
    "(PDF) now arrive in iob's mailbox, .iob/maildir, which invoice-intake reads."

  demo_step 2 "A punchout group at the supplier"
  demo_sim POST /admin/groups '{}'
  local ident
  ident=$(demo_jq .from_identity)
  demo_sim GET /admin/groups
  DEMO_OUT=$(demo_jq --arg id "$ident" '.groups[] | select(.from_identity == $id)')
  [ -n "$DEMO_OUT" ] || demo_fail "the simulator does not list the group $ident"
  local secret punchout_url order_url
  secret=$(demo_jq .shared_secret)
  punchout_url=$(demo_jq .punchout_url)
  order_url=$(demo_jq .order_url)
  demo_say "Created at the simulator; the four credentials its admin API shows, as Amazon's" \
    "\"Configure purchasing system\" page does:" \
    "  From Identity    $ident" \
    "  Shared Secret    ${secret:0:4}… (${#secret} characters, masked here)" \
    "  Punchout URL     $punchout_url" \
    "  PO request URL   $order_url"

  demo_step 3 "The credentials into iob's vault"
  local no_approval=()
  [ "$approval" = on ] || no_approval=(--no-approval)
  demo_ctl admin integrations create --tenant "$tenant" --supplier amazon-business \
    --id "$integration" --display-name "Amazon Business (simulator)" --from-identity "$ident" \
    --punchout-url "$punchout_url" --order-url "$order_url" --mode test "${no_approval[@]}" \
    --shared-secret-file - <<<"$secret"
  local integration_name approval_text
  integration_name=$(demo_jq .name)
  approval_text="workflow approval required"
  [ "$(demo_jq .require_approval)" = true ] || approval_text="no approval (Purchase button)"
  demo_say "$integration_name: $approval_text, test mode (orders say" \
    "deploymentMode=\"test\": Amazon would not ship them, the simulator does);" \
    "the secret is sealed in the vault (fingerprint $(demo_jq .secret_fingerprint))."

  demo_step 4 "The dispatch rule"
  demo_ctl admin rules set --tenant "$tenant" --integration "$integration" --electronic on --pdf off
  local cxml_on=off pdf_on=off
  [ "$(demo_jq .send_cxml)" = true ] && cxml_on=on
  [ "$(demo_jq .send_pdf)" = true ] && pdf_on=on
  demo_say "\"An order is fully approved -> send to supplier\": electronic PO $cxml_on, PDF $pdf_on;" \
    "a confirmation is expected within $(demo_jq '.confirmation_deadline | rtrimstr("s") | tonumber / 3600')h."

  demo_step 5 "Shopping: tile, punchout, cart, checkout"
  demo_ctl platform punchout suppliers --tenant "$tenant"
  demo_say "The homepage tiles: $(demo_jq '[.suppliers[] | .display_name + " (approval " +
    (if .approval_required then "required" else "off" end) + ")"] | join(", ")')."
  demo_ctl platform punchout start --tenant "$tenant" --integration "$integration" \
    --user-email pat@acme.example --user-name "Pat Buyer"
  local session start_page
  session=$(demo_jq .name)
  start_page=$(demo_jq .start_page_url)
  demo_say "Pat clicks it: session $session;" "the supplier's StartPage: $start_page" \
    "Pat shops in headless Chromium:"
  local items=() item
  for item in "${IOB_DEMO_ITEMS[@]}"; do items+=(--item "$item"); done
  DEMO_OUT=$(timeout "$IOB_DEMO_SHOP_TIMEOUT" node "$ROOT/tools/demo/shop.mjs" \
    --start-page "$start_page" "${items[@]}" --screenshot "$DEMO_DIR/cart-page.png" \
    --html "$DEMO_DIR/cart-page.html") ||
    demo_fail "the browser did not bring the cart back to iob within ${IOB_DEMO_SHOP_TIMEOUT}s"
  local cart_url
  cart_url=$(demo_jq .cart_url)
  demo_ctl platform punchout checkout "$session"
  local needs_approval
  needs_approval=$(demo_jq '.approval_required // false')
  demo_say "iob has the cart: $(demo_jq '.lines | length') lines, $(demo_jq '.total.amount + " " + .total.currency'). Checked out, the requisition"
  local approval_args
  if [ "$needs_approval" = true ]; then
    approval_args=(--approver-email boss@acme.example --approver-name "Bo Boss")
    demo_say "goes to the approval workflow; Bo Boss (boss@acme.example) approves it."
  else
    approval_args=(--purchase-button)
    demo_say "needs no approval: Pat clicks Purchase."
  fi
  # The supplier confirms and ships each accepted order a second apart,
  # posting to dispatch's supplier edge.
  demo_sim POST /admin/fulfillment '{"url": "http://127.0.0.1:8103/cxml/fulfill",
    "confirm": "accept", "confirm_delay_ms": 1000, "ship_notice": true, "ship_delay_ms": 1000}'
  demo_ctl platform orders submit --tenant "$tenant" --integration "$integration" \
    --session "$session" "${approval_args[@]}" --order-file - <<<"$(jq -nc --arg po "$po" '
      {street: ["1 Main St"], city: "Springfield", state: "IL", postal_code: "62701",
       country_code: "US", country: "United States"} as $at
      | {po_number: $po, currency: "USD",
         ship_to: ($at + {name: "Acme Corp, Receiving dock 4"}),
         bill_to: ($at + {name: "Acme Corp, Accounts Payable"}),
         contact: {name: "Pat Buyer", email: "pat@acme.example"}}')"
  local order
  order=$(demo_jq .name)
  demo_say "Submitted to dispatch: $order, PO $po, $(demo_jq '.total.amount + " " + .total.currency')."

  demo_step 6 "The order at the supplier"
  demo_say "Dispatch sends it as a cXML OrderRequest; the supplier confirms it, then ships it:"
  DEMO_ORDER=$order DEMO_SEEN=0
  demo_wait "$IOB_DEMO_ORDER_TIMEOUT" "the order to ship" demo_order_progress
  local history
  history=$(demo_jq -c .history)

  demo_step 7 "The supplier's invoice"
  demo_say "Having shipped, the supplier mails its invoice to $address."
  DEMO_TENANT=$tenant DEMO_PO=$po
  demo_wait "$IOB_DEMO_INVOICE_TIMEOUT" "iob to read the invoice" demo_invoice_arrived
  DEMO_OUT=$(demo_jq -c '.invoices[0]')
  local invoice=$DEMO_OUT inv_state inv_number inv_amount verified=verified
  inv_state=$(demo_jq '.state | ltrimstr("INVOICE_STATE_") | ascii_downcase')
  inv_number=$(demo_jq .invoice_number.value)
  inv_amount=$(demo_jq '.gross.value + " " + .currency')
  [ "$(demo_jq .sender_verified)" = true ] || verified="NOT verified"
  demo_say "Invoice $inv_number ($(demo_jq '[.sources[].format | ltrimstr("INVOICE_FORMAT_")]
    | join(" and ")')), $inv_amount for PO $(demo_jq '[.po_numbers[].value] | join(", ")');" \
    "sender $verified (DKIM/SPF/DMARC of the receiving server, mx.iob.localhost);" \
    "$(demo_jq '[.matches[] | select(.ok)] | length') of $(demo_jq '.lines | length') lines match the order line's part, price and shipped quantity: $inv_state."
  if [ "$inv_state" != matched ]; then
    demo_say "$(demo_jq '.reason // ""')"
    demo_say "$(demo_jq '.exceptions[]? | "  " + .type + ": " + .message')"
    demo_fail "the invoice is $inv_state, not matched"
  fi

  # ---- summary ----
  printf '\n\033[1mSummary\033[0m\n'
  DEMO_OUT=$history
  local first state time
  first=$(demo_jq '.[0].time')
  printf '  %-10s %s (PO %s, tenant %s)\n' order "$order" "$po" "$tenant"
  printf '  %-10s %-14s %s\n' state at "after submit"
  while IFS=$'\t' read -r state time; do
    printf '  %-10s %-14s %ss\n' "$state" "$(demo_clock "$time")" "$(demo_since "$first" "$time")"
  done < <(demo_jq '.[] | [(.state | ltrimstr("ORDER_STATE_") | ascii_downcase), .time] | @tsv')
  DEMO_OUT=$invoice
  time=$(demo_jq .create_time)
  printf '  %-10s %-14s %ss   %s, %s: %s\n' invoice "$(demo_clock "$time")" \
    "$(demo_since "$first" "$time")" "$inv_number" "$inv_amount" "$inv_state"

  printf '\n\033[1mLook at\033[0m\n'
  printf '  %-12s %s\n' "cart page" "$DEMO_DIR/cart-page.png and .html, as iob showed it at" \
    "" "$cart_url (the supplier's page posts there)"
  local entry svc metrics
  for entry in "${IOB_SERVICES[@]}"; do
    read -r svc _ metrics _ <<<"$entry"
    printf '  %-12s %s\n' metrics "http://127.0.0.1:$metrics/metrics ($svc)"
  done
  printf '  %-12s %s\n' simulator "$sim/admin/orders/$po  $sim/admin/invoices"
  printf '  %-12s %s\n' order "./iob ctl orders get $order --documents --token-file .iob/secrets/platform.token"
  printf '  %-12s %s\n' invoice "./iob ctl invoices get $(demo_jq .name) --token-file .iob/secrets/platform.token"
  [ "$DEMO_KEEP" -eq 1 ] || [ "$DEMO_WAS_UP" -eq 1 ] ||
    echo "  (these need the suite: ./iob demo --keep leaves it running)"
}

# demo_wait check: prints each state DEMO_ORDER reaches (DEMO_SEEN so far);
# done when shipped; ends the demo when the order stops elsewhere.
demo_order_progress() {
  demo_ctl platform orders get "$DEMO_ORDER"
  local state time reason
  while IFS=$'\t' read -r state time reason; do
    demo_say "$(printf '%-10s %s  %s' "$state" "$(demo_clock "$time")" "$reason")"
    DEMO_SEEN=$((DEMO_SEEN + 1))
  done < <(demo_jq --argjson seen "$DEMO_SEEN" '.history[$seen:][]
    | [(.state | ltrimstr("ORDER_STATE_") | ascii_downcase), .time, .reason] | @tsv')
  case $(demo_jq .state) in
    ORDER_STATE_SHIPPED) return 0 ;;
    ORDER_STATE_REJECTED | ORDER_STATE_FAILED | ORDER_STATE_CANCELLED)
      demo_fail "the order is $(demo_jq '.state | ltrimstr("ORDER_STATE_") | ascii_downcase'): $(demo_jq '.failure_reason // ""')" ;;
  esac
  return 1
}

# demo_wait check: done when an invoice for DEMO_PO of DEMO_TENANT is listed.
demo_invoice_arrived() {
  demo_ctl platform invoices list --tenant "$DEMO_TENANT" --po "$DEMO_PO"
  [ "$(demo_jq '.invoices // [] | length')" -gt 0 ]
}
