package api

import "github.com/gin-gonic/gin"

// registerUI adds the search page and entity pages to r. The UI work
// replaces this body.
func (s *Server) registerUI(r *gin.Engine) {}
