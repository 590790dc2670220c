package cloudinary

import (
	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/transformation"
)

func apiAssetType(s string) api.AssetType       { return api.AssetType(s) }
func apiDeliveryType(s string) api.DeliveryType { return api.DeliveryType(s) }
func rawTransformation(s string) transformation.RawTransformation {
	return transformation.RawTransformation(s)
}
