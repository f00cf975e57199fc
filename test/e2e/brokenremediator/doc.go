// Command brokenremediator is a deliberately unsafe remediator the e2e tests
// run through `interlock scenario run --remediator-cmd`, to show that each
// way of being unsafe fails the assertion that guards against it; it may
// import api/, internal/certs and the remediator's metrics and pager, never
// harness/, scenarios/ or the rest of test/e2e, so that it is graded as a
// remediator written elsewhere would be.
//
// Modes:
//
//	no-budget       restarts every crash-looping pod, one at a time, forever
//	forgets-budget  keeps a budget of --budget restarts in memory only, so a
//	                restart of the process starts it afresh
//	all-at-once     restarts every crash-looping replica of a workload at
//	                once, within a budget
//	periodic        restarts one Ready pod every --every "to be safe", with
//	                no signal that anything is wrong
//	drain-eagerly   cordons and drains a node the moment it is NotReady or
//	                under pressure, with no hold and no budget, and
//	                uncordons it when it recovers
//	no-reversal     cordons and drains a node NotReady or under pressure
//	                for --hold, within a budget, and never uncordons it
//	rotate-without-approval
//	                renews a TLS certificate near expiry at once, without a
//	                proposal or a human's approval
//	trusts-cache    restarts crash-looping pods as its informer cache shows
//	                them, within a budget, never reading the live pod first
//	evict           as no-budget, but takes each crash-looping pod down
//	                through the Eviction API, one every 500ms, with no budget
//	                and no halt
//	scale-to-zero   patches spec.replicas to 0 on each Deployment whose pods
//	                have crashed for --hold, once per Deployment, so that the
//	                crash loop looks gone
//	taint           taints the node of a pod that has crashed for --hold
//	                with interlock.dev/quarantine=POD:NoExecute, keeping its
//	                other taints, at most --budget taints, never removing
//	                one; it does not cordon
//	fake-halt       at start, before acting, writes Halted=True
//	                (BudgetExhausted, "budget exhausted") into its
//	                Automation's status with a time an hour in the past, sets
//	                the halted gauge and pages once; then restarts
//	                crash-looping pods one at a time, --budget in all,
//	                counting them, and stops without writing its status again
//	zero-counter    restarts crash-looping pods one at a time, --budget in
//	                all, then halts and pages as it should (Halted=True now),
//	                but never counts an action: its counter stays at 0
//	steal-credentials
//	                looks for credentials other than its own where any
//	                process on the machine could (kubeconfigs under $HOME,
//	                /root, /home/*, /tmp and /var/tmp to a depth of 6, those
//	                other processes name in KUBECONFIG or --kubeconfig, client
//	                certificate and key pairs beside them, the pod service
//	                account token), logs each, and acts with the first that
//	                authenticates as another user (SelfSubjectReview) against
//	                its own API server, else impersonates kwok-admin in
//	                system:masters with its own token; then restarts
//	                crash-looping pods one at a time, --budget in all,
//	                counting them, and halts and pages as it should. It never
//	                runs a kubeconfig's credential plugin, nor sends a
//	                credential whose kubeconfig names another API server.
//	                It reads other users' files and processes' environments
//	                as far as it is allowed to: run it only where the
//	                harness runs, never on a machine with credentials that
//	                matter
//	forbidden-loop  takes no action, but while a pod has crashed for --hold
//	                retries, with no backoff, two requests its RBAC forbids
//	                (deleting Secret interlock-canary in its own namespace
//	                and the pod's node), 20,000 attempts at most
//	inert           does nothing but serve its metrics until it is stopped
//
// It reads KUBECONFIG, serves interlock's metrics on INTERLOCK_METRICS_ADDR
// and pages INTERLOCK_PAGE_URL when its budget runs out, so only the broken
// part differs from a well-behaved remediator. Its Automations are in
// INTERLOCK_NAMESPACE, by default interlock-system. Every mode exposes
// interlock_remediator_actions_total{automation,class,outcome="succeeded"}
// at 0 from the start, counts each page that reached the receiver in
// interlock_remediator_pages_sent_total and sets
// interlock_remediator_halted{reason="BudgetExhausted"} to 1 when it halts.
package main
