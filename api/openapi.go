package api

import (
	_ "embed" // for the OpenAPI document
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3.0 document of the whole HTTP API, served at
// GET /openapi.json. The tests validate every response they provoke
// against it, so it cannot drift from the handlers.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openAPIDoc)
}
