package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/search"
)

// Alerter serves the /v1/alerts routes (package alert's Manager): saved
// searches that send new matching articles to a webhook. Errors:
// alert.ErrNotFound is a 404, alert.ErrUnsafeURL a 400, a
// *search.ParamError a 400 naming the parameter.
type Alerter interface {
	Create(ctx context.Context, in alert.NewAlert) (alert.Alert, string, error)
	List() ([]alert.Alert, error)
	Get(id string) (alert.Alert, error)
	Delete(id string) error
	Deliveries(id string) ([]alert.Delivery, error)
	Test(ctx context.Context, id string, days int) ([]alert.Article, error)
}

// CreateAlertResponse is the JSON of POST /v1/alerts: the only answer
// that ever shows the secret.
type CreateAlertResponse struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// AlertsResponse is the JSON of GET /v1/alerts.
type AlertsResponse struct {
	Alerts []alert.Alert `json:"alerts"`
}

// DeliveriesResponse is the JSON of GET /v1/alerts/{id}/deliveries.
type DeliveriesResponse struct {
	Deliveries []alert.Delivery `json:"deliveries"`
}

// AlertTestResponse is the JSON of GET /v1/alerts/{id}/test.
type AlertTestResponse struct {
	Articles []alert.Article `json:"articles"`
}

// requireAlerts answers 503 when the server keeps no alerts.
func (s *Server) requireAlerts(c *gin.Context) {
	if s.opts.Alerts == nil {
		s.fail(c, refuse(errNoAlerts, "this server keeps no alerts"))
	}
}

func (s *Server) handleCreateAlert(c *gin.Context) {
	body, err := readJSONBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in alert.NewAlert
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.fail(c, &inputError{http.StatusBadRequest, "bad_body", "the body is not an alert: " + jsonErr(err)})
		return
	}
	a, secret, err := s.opts.Alerts.Create(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, CreateAlertResponse{ID: a.ID, Secret: secret})
}

func (s *Server) handleListAlerts(c *gin.Context) {
	as, err := s.opts.Alerts.List()
	if err != nil {
		s.fail(c, err)
		return
	}
	if as == nil {
		as = []alert.Alert{}
	}
	c.JSON(http.StatusOK, AlertsResponse{Alerts: as})
}

func (s *Server) handleGetAlert(c *gin.Context) {
	a, err := s.opts.Alerts.Get(c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) handleDeleteAlert(c *gin.Context) {
	if err := s.opts.Alerts.Delete(c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, DeleteResponse{Deleted: 1})
}

func (s *Server) handleAlertDeliveries(c *gin.Context) {
	ds, err := s.opts.Alerts.Deliveries(c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, DeliveriesResponse{Deliveries: ds})
}

func (s *Server) handleTestAlert(c *gin.Context) {
	days := 7
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(c, &search.ParamError{Param: "days", Pos: -1, Msg: "not an integer: " + quoteParam(v)})
			return
		}
		days = n
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	arts, err := s.opts.Alerts.Test(ctx, c.Param("id"), days)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, AlertTestResponse{Articles: arts})
}
