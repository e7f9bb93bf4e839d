package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// Test hooks of the alerts, read by serve from the environment only:
// NEWSDEX_ALERTS_TEST_HOLD delays every delivery's first attempt (so a
// test can kill the server between the match and the delivery), and
// NEWSDEX_ALERTS_TEST_BACKOFF replaces the retry schedule (5 s doubling
// to 10 min) by a constant wait, so retries can be tested quickly.
const (
	envAlertsHold    = "NEWSDEX_ALERTS_TEST_HOLD"
	envAlertsBackoff = "NEWSDEX_ALERTS_TEST_BACKOFF"
)

// openAlerts opens the alerts of index dir, matched with eng.
func openAlerts(dir string, eng *search.Engine, allowPrivate bool, log *slog.Logger) (*alert.Manager, error) {
	opts := alert.Options{AllowPrivate: allowPrivate, Log: log}
	if v := os.Getenv(envAlertsHold); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envAlertsHold, v, err)
		}
		opts.Hold = d
	}
	if v := os.Getenv(envAlertsBackoff); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envAlertsBackoff, v, err)
		}
		opts.Backoff = func(int) time.Duration { return d }
	}
	var m *alert.Manager
	var err error
	if eng == nil {
		m, err = alert.Open(dir, nil, opts)
	} else {
		m, err = alert.Open(dir, eng, opts)
	}
	return m, err
}

// alertsAPI is what `newsdex alerts` needs: the alerts of a running
// server (over HTTP) or of an index no server holds (alert.Manager).
type alertsAPI = api.Alerter

var (
	_ alertsAPI = (*alert.Manager)(nil)
	_ alertsAPI = remoteAlerts{}
)

// withAlerts runs f on the alerts of dir: through the server that holds
// the index, or directly.
func (e *env) withAlerts(ctx context.Context, dir string, f func(alertsAPI) error) error {
	ix, err := index.OpenExisting(dir)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return rerr
		}
		return f(remoteAlerts{rem})
	}
	if err != nil {
		return err
	}
	defer ix.Close()
	eng, err := e.newEngine(ix)
	if err != nil {
		return err
	}
	allow, _ := strconv.ParseBool(os.Getenv("NEWSDEX_ALERTS_ALLOW_PRIVATE"))
	m, err := openAlerts(dir, eng, allow, e.log)
	if err != nil {
		return err
	}
	defer m.Close()
	return f(m)
}

func (e *env) alertsCmd() *cobra.Command {
	var dir string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "alerts list | add | delete | test",
		Short: "Manage saved searches that send new matching articles to a webhook",
		Long: "Manage alerts: saved searches whose new matching articles (indexed or replaced after the alert\n" +
			"was created, by any path) are POSTed to a webhook by `newsdex serve`. With a server holding the\n" +
			"index, the commands go through it.",
	}
	c.PersistentFlags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.PersistentFlags().BoolVar(&jsonOut, "json", false, "print the API's JSON")
	printJSON := func(v any) error {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the alerts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withAlerts(cmd.Context(), dir, func(a alertsAPI) error {
				as, err := a.List()
				if err != nil {
					return err
				}
				if jsonOut {
					return printJSON(api.AlertsResponse{Alerts: as})
				}
				for _, x := range as {
					q, _ := json.Marshal(x.Query)
					fmt.Fprintf(e.stdout, "%s  %-8s  %s  %s  %s\n", x.ID, x.Frequency, x.Name, q, x.WebhookURL)
				}
				return nil
			})
		},
	}

	var in alert.NewAlert
	var params []string
	add := &cobra.Command{
		Use:   "add --name NAME --webhook URL [--frequency F] [--secret S] [--param name=value]... [QUERY]",
		Short: "Save a search as an alert (prints its id and secret, shown only now)",
		Long: "Save a search as an alert. QUERY is the search's q; --param adds any other /v1/search\n" +
			"parameter (repeat it for several filter values: --param person=\"Angela Merkel\").",
		RunE: func(cmd *cobra.Command, args []string) error {
			v := url.Values{}
			if len(args) > 0 {
				v.Set("q", strings.Join(args, " "))
			}
			for _, p := range params {
				k, val, ok := strings.Cut(p, "=")
				if !ok {
					return fmt.Errorf("alerts add: --param %q: want name=value", p)
				}
				v.Add(k, val)
			}
			in.Query = alert.QueryOf(v)
			return e.withAlerts(cmd.Context(), dir, func(a alertsAPI) error {
				x, secret, err := a.Create(cmd.Context(), in)
				if err != nil {
					return fmt.Errorf("alerts add: %w", err)
				}
				if jsonOut {
					return printJSON(api.CreateAlertResponse{ID: x.ID, Secret: secret})
				}
				fmt.Fprintf(e.stdout, "id %s\nsecret %s (shown only now)\n", x.ID, secret)
				return nil
			})
		},
	}
	add.Flags().StringVar(&in.Name, "name", "", "the alert's name")
	add.Flags().StringVar(&in.WebhookURL, "webhook", "", "the URL new matching articles are POSTed to")
	add.Flags().StringVar(&in.Frequency, "frequency", alert.Realtime, "realtime, hourly or daily")
	add.Flags().StringVar(&in.Secret, "secret", "", "the HMAC key of the signature (generated if empty)")
	add.Flags().StringArrayVar(&params, "param", nil, "a /v1/search parameter as name=value (repeatable)")

	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete an alert and its pending deliveries",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withAlerts(cmd.Context(), dir, func(a alertsAPI) error {
				if err := a.Delete(args[0]); err != nil {
					return fmt.Errorf("alerts delete %s: %w", args[0], err)
				}
				fmt.Fprintf(e.stdout, "deleted %s\n", args[0])
				return nil
			})
		},
	}

	var days int
	test := &cobra.Command{
		Use:   "test ID [--days N]",
		Short: "Show what the alert would have sent for the articles of the last N days, without sending",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withAlerts(cmd.Context(), dir, func(a alertsAPI) error {
				arts, err := a.Test(cmd.Context(), args[0], days)
				if err != nil {
					return fmt.Errorf("alerts test %s: %w", args[0], err)
				}
				if jsonOut {
					return printJSON(api.AlertTestResponse{Articles: arts})
				}
				fmt.Fprintf(e.stdout, "%d articles\n", len(arts))
				for _, x := range arts {
					dups := ""
					if x.Duplicates > 0 {
						dups = fmt.Sprintf("  (+%d copies)", x.Duplicates)
					}
					fmt.Fprintf(e.stdout, "%s  %s  %s  %s%s\n", x.Published, x.Outlet, x.ID, x.Title, dups)
				}
				return nil
			})
		},
	}
	test.Flags().IntVar(&days, "days", 7, "articles published in the last N days")
	c.AddCommand(list, add, del, test)
	return c
}

// remoteAlerts is the alerts of a running server.
type remoteAlerts struct{ r *remote }

func (ra remoteAlerts) call(ctx context.Context, method, path string, in, out any) error {
	var body *bytes.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	var resp *http.Response
	var err error
	if body != nil {
		resp, err = ra.r.do(ctx, method, path, body, ct)
	} else {
		resp, err = ra.r.do(ctx, method, path, nil, "")
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: bad response: %w", method, path, err)
	}
	return nil
}

func (ra remoteAlerts) Create(ctx context.Context, in alert.NewAlert) (alert.Alert, string, error) {
	var out api.CreateAlertResponse
	if err := ra.call(ctx, http.MethodPost, "/v1/alerts", in, &out); err != nil {
		return alert.Alert{}, "", err
	}
	return alert.Alert{ID: out.ID, Name: in.Name}, out.Secret, nil
}

func (ra remoteAlerts) List() ([]alert.Alert, error) {
	var out api.AlertsResponse
	err := ra.call(context.Background(), http.MethodGet, "/v1/alerts", nil, &out)
	return out.Alerts, err
}

func (ra remoteAlerts) Get(id string) (alert.Alert, error) {
	var out alert.Alert
	err := ra.call(context.Background(), http.MethodGet, "/v1/alerts/"+url.PathEscape(id), nil, &out)
	return out, err
}

func (ra remoteAlerts) Delete(id string) error {
	return ra.call(context.Background(), http.MethodDelete, "/v1/alerts/"+url.PathEscape(id), nil, nil)
}

func (ra remoteAlerts) Deliveries(id string) ([]alert.Delivery, error) {
	var out api.DeliveriesResponse
	err := ra.call(context.Background(), http.MethodGet, "/v1/alerts/"+url.PathEscape(id)+"/deliveries", nil, &out)
	return out.Deliveries, err
}

func (ra remoteAlerts) Test(ctx context.Context, id string, days int) ([]alert.Article, error) {
	var out api.AlertTestResponse
	err := ra.call(ctx, http.MethodGet, "/v1/alerts/"+url.PathEscape(id)+"/test?days="+strconv.Itoa(days), nil, &out)
	return out.Articles, err
}
